// exo eval PROFILE [OPTION.PATH] [--json]: evaluate a profile and print its Config.
import { ExoError } from "../../errors.ts";
import { evaluateProfile, setEvalTimeout } from "../../eval/index.ts";
import { systemHashOf } from "../../plan/system-config.ts";
import { displayPath } from "../../eval/paths.ts";
import { childrenOfPaths, didYouMean, suggestPath } from "../../eval/suggest.ts";
import { defineCommand } from "../command.ts";
import { EVAL_TIMEOUT_FLAG } from "../flags.ts";
import { JSON_SCHEMAS, printJson } from "../json.ts";

export default defineCommand({
  name: "eval",
  summary: "Evaluate a profile with the base modules and print the resulting configuration.",
  positionals: [
    { name: "PROFILE", description: "the profile to evaluate" },
    { name: "OPTION.PATH", description: "print only this option's value, e.g. kernel.ipc.ringSlots", optional: true },
  ],
  flags: { json: { type: "boolean", description: "print a JSON document (schema exo.eval/v1)" }, ...EVAL_TIMEOUT_FLAG },
  async run({ values, positionals }) {
    const [profile, optionPath] = positionals;
    setEvalTimeout(values["eval-timeout"]);
    const evaluation = await evaluateProfile(profile!);
    for (const warning of evaluation.warnings) process.stderr.write(`warning: ${warning}\n`);
    let value: unknown = evaluation.config;
    if (optionPath) {
      value = lookup(evaluation.config, optionPath, [...evaluation.options.keys()]);
    }
    if (values.json) {
      printJson({
        schema: JSON_SCHEMAS.eval,
        profile: displayPath(profile!),
        configHash: evaluation.hash,
        systemHash: systemHashOf(evaluation.config),
        warnings: evaluation.warnings,
        ...(optionPath ? { option: optionPath } : {}),
        value,
      });
    } else {
      process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    }
    return 0;
  },
});

function lookup(config: unknown, path: string, known: string[]): unknown {
  let node = config;
  for (const part of path.split(".")) {
    // Own keys only: `sandbox.policies.constructor` is a policy only when one is defined.
    if (node === null || typeof node !== "object" || !Object.hasOwn(node, part)) {
      // Each segment against the keys the configuration has at that level; else the same name elsewhere.
      const guesses = suggestPath(path, (prefix) => ownKeysAt(config, prefix), childrenOfPaths(known).all);
      throw new ExoError("ERR_EXO_OPTION_UNKNOWN", `option \`${path}\` does not exist`, didYouMean(guesses, "`exo eval PROFILE` prints every option"));
    }
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** The own keys of the object at dotted `prefix` in `config`; none below a value that is no object (or a list). */
function ownKeysAt(config: unknown, prefix: string): string[] | undefined {
  let node = config;
  for (const part of prefix ? prefix.split(".") : []) {
    if (node === null || typeof node !== "object" || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node !== null && typeof node === "object" && !Array.isArray(node) ? Object.keys(node) : undefined;
}
