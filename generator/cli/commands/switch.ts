// exo switch PROFILE | --generation N: build and record a new generation, or
// make an existing one current; the `current` pointer moves atomically.
import { activate, parseGenerationNumber, switchProfile } from "../../generations/switch.ts";
import { loadProject } from "../../project/config.ts";
import { defineCommand } from "../command.ts";
import { EVAL_TIMEOUT_FLAG, GENERATIONS_FLAG, STORE_FLAG } from "../flags.ts";
import { setEvalTimeout } from "../../eval/watchdog.ts";

export default defineCommand({
  name: "switch",
  summary: "Build a profile and record it as the new current generation, or make generation N current again.",
  positionals: [{ name: "PROFILE", description: "the profile to build and record; none with --generation N", optional: true }],
  flags: {
    message: { type: "string", value: "TEXT", description: "a note kept with the generation (shown by `exo generations`)" },
    generation: { type: "string", value: "N", description: "make the existing generation N current; builds nothing" },
    ...STORE_FLAG,
    ...GENERATIONS_FLAG,
    ...EVAL_TIMEOUT_FLAG,
  },
  async run({ values, positionals, usageError }) {
    setEvalTimeout(values["eval-timeout"]);
    const project = await loadProject(process.cwd(), { ...(values.store ? { store: values.store } : {}), ...(values.generations ? { generations: values.generations } : {}) });
    if (values.generation !== undefined) {
      if (positionals.length > 0 || values.message !== undefined) throw usageError("--generation N takes no PROFILE and no --message: it switches to a generation already recorded");
      const record = await activate(project, parseGenerationNumber(values.generation));
      process.stdout.write(`switched to generation ${record.number} (${record.storePath})\n`);
      return 0;
    }
    if (positionals.length === 0) throw usageError("missing PROFILE");
    const record = await switchProfile(project, positionals[0]!, values.message, new Date());
    process.stdout.write(`generation ${record.number}: ${record.storePath}\n`);
    return 0;
  },
});
