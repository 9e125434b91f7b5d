// exo rollback [--to N]: make the previous generation (or any older one)
// current. Builds nothing: generations are GC roots, so their images stay.
import { ExoError } from "../../errors.ts";
import { activate, parseGenerationNumber, previousGeneration, requireCurrent } from "../../generations/switch.ts";
import { listNumbers, unknownGeneration } from "../../generations/record.ts";
import { loadProject } from "../../project/config.ts";
import { defineCommand } from "../command.ts";
import { GENERATIONS_FLAG, STORE_FLAG } from "../flags.ts";

export default defineCommand({
  name: "rollback",
  summary: "Return to the previous generation, or with --to N to any older one.",
  flags: {
    to: { type: "string", value: "N", description: "the generation to return to (default: the one before the current)" },
    ...STORE_FLAG,
    ...GENERATIONS_FLAG,
  },
  async run({ values }) {
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
