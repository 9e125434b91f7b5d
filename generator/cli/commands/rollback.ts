// exo rollback [--to N]: make the previous generation (or any older one)
// current. Builds nothing: generations are GC roots, so their images stay.
import { ExoError } from "../../errors.ts";
import { activate, parseGenerationNumber, previousGeneration, requireCurrent } from "../../generations/switch.ts";
import { listNumbers, unknownGeneration } from "../../generations/record.ts";
import { loadProject } from "../../project/config.ts";
import { defineCommand, expectPositionals } from "../command.ts";

const usage = "rollback [--to N] [--store DIR] [--generations DIR]";

export default defineCommand({
  name: "rollback",
  summary: "Return to the previous generation, or with --to N to any older one.",
  usage,
  help: [
    "--to N              the generation to return to (default: the one before the current)",
    "--store DIR         the store (default: exo.config.ts `store`, or $EXO_STORE)",
    "--generations DIR   where generations are recorded (default: exo.config.ts `generations`, or $EXO_GENERATIONS)",
  ],
  options: { to: { type: "string" }, store: { type: "string" }, generations: { type: "string" } },
  async run({ values, positionals }) {
    expectPositionals(positionals, [], usage);
    const project = await loadProject(process.cwd(), { ...(values.store ? { store: values.store } : {}), ...(values.generations ? { generations: values.generations } : {}) });
    const current = await requireCurrent(project);
    const target = values.to !== undefined ? parseGenerationNumber(values.to) : await previousGeneration(project);
    // A number that was never recorded is unknown, whether or not it is above the current one.
    if (!(await listNumbers(project.generations)).includes(target)) throw await unknownGeneration(project.generations, target);
    if (target >= current) {
      throw new ExoError("ERR_EXO_GENERATION", `generation ${target} is not older than the current generation ${current}`, "use `exo switch --generation N` to move to a newer one");
    }
    const record = await activate(project, target);
    process.stdout.write(`rolled back from generation ${current} to ${record.number} (${record.storePath})\n`);
    return 0;
  },
});
