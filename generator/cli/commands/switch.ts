// exo switch PROFILE | --generation N: build and record a new generation, or
// make an existing one current; the `current` pointer moves atomically.
import { ExoError } from "../../errors.ts";
import { activate, parseGenerationNumber, switchProfile } from "../../generations/switch.ts";
import { loadProject } from "../../project/config.ts";
import { defineCommand } from "../command.ts";
import { EVAL_TIMEOUT_HELP } from "../../eval/limits.ts";
import { setEvalTimeout } from "../../eval/watchdog.ts";

const usage = "switch PROFILE [--message TEXT] [--eval-timeout SECONDS] | switch --generation N  [--store DIR] [--generations DIR]";

export default defineCommand({
  name: "switch",
  summary: "Build a profile and record it as the new current generation, or make generation N current again.",
  usage,
  help: [
    "--message TEXT      a note kept with the generation (shown by `exo generations`)",
    "--generation N      make the existing generation N current; builds nothing",
    "--store DIR         the store (default: exo.config.ts `store`, or $EXO_STORE)",
    "--generations DIR   where generations are recorded (default: exo.config.ts `generations`, or $EXO_GENERATIONS)",
    EVAL_TIMEOUT_HELP,
  ],
  options: { message: { type: "string" }, generation: { type: "string" }, store: { type: "string" }, generations: { type: "string" }, "eval-timeout": { type: "string" } },
  async run({ values, positionals }) {
    setEvalTimeout(values["eval-timeout"]);
    const project = await loadProject(process.cwd(), { ...(values.store ? { store: values.store } : {}), ...(values.generations ? { generations: values.generations } : {}) });
    if (values.generation !== undefined) {
      if (positionals.length > 0 || values.message !== undefined) throw new ExoError("ERR_EXO_USAGE", "--generation N takes no PROFILE and no --message: it switches to a generation already recorded", `usage: exo ${usage}`);
      const record = await activate(project, parseGenerationNumber(values.generation));
      process.stdout.write(`switched to generation ${record.number} (${record.storePath})\n`);
      return 0;
    }
    if (positionals.length !== 1) throw new ExoError("ERR_EXO_USAGE", positionals.length === 0 ? "missing PROFILE" : `unexpected argument '${positionals[1]}'`, `usage: exo ${usage}`);
    const record = await switchProfile(project, positionals[0]!, values.message, new Date());
    process.stdout.write(`generation ${record.number}: ${record.storePath}\n`);
    return 0;
  },
});
