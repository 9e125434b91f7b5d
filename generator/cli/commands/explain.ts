// exo explain PROFILE OPTION.PATH: the final value of one option, its
// priority, and every definition with file:line and value, like nixos-option.
import { ExoError } from "../../errors.ts";
import { evaluateProfile, setEvalTimeout } from "../../eval/index.ts";
import { PRIORITY } from "../../eval/markers.ts";
import { typeName } from "../../eval/reference.ts";
import { didYouMean, suggestOptionPath } from "../../eval/suggest.ts";
import { z } from "zod";
import { defineCommand } from "../command.ts";
import { EVAL_TIMEOUT_FLAG, JSON_FLAG } from "../flags.ts";
import { JSON_SCHEMAS, printJson } from "../json.ts";

const PRIORITY_NAMES: Record<number, string> = {
  [PRIORITY.optionDefault]: "option default",
  [PRIORITY.default]: "mkDefault",
  [PRIORITY.plain]: "plain definition",
  [PRIORITY.force]: "mkForce",
};

export default defineCommand({
  name: "explain",
  summary: "Show one option of a profile (its final value, priority, and every definition with file:line), or list a namespace's options and values.",
  positionals: [
    { name: "PROFILE", description: "the profile to evaluate" },
    { name: "OPTION.PATH", description: "an option, e.g. kernel.ipc.ringSlots; or a namespace such as kernel.ipc, to list the options below it" },
  ],
  flags: { ...JSON_FLAG("exo.explain/v1"), ...EVAL_TIMEOUT_FLAG },
  async run({ values, positionals }) {
    const [profile, path] = positionals;
    setEvalTimeout(values["eval-timeout"]);
    const evaluation = await evaluateProfile(profile!);
    const result = evaluation.options.get(path!);
    const below = result ? [] : [...evaluation.options.keys()].filter((p) => p.startsWith(`${path}.`)).sort();
    if (!result && below.length) {
      // A namespace: each option below it with its value and where it was set, one line each.
      if (values.json) {
        printJson({ schema: JSON_SCHEMAS.explain, namespace: path, options: below.map((p) => ({ option: p, value: evaluation.options.get(p)!.value, priority: evaluation.options.get(p)!.priority })) });
        return 0;
      }
      for (const p of below) {
        const r = evaluation.options.get(p)!;
        const winners = r.definitions.filter((d) => d.active && d.priority === r.priority).map((d) => `${d.file}:${d.line}`);
        process.stdout.write(`${p} = ${JSON.stringify(r.value)}  (${winners.length ? winners.join(", ") : "default"})\n`);
      }
      return 0;
    }
    if (!result) {
      const guesses = suggestOptionPath(path!, evaluation.options.keys());
      throw new ExoError("ERR_EXO_OPTION_UNKNOWN", `option \`${path}\` does not exist`, didYouMean(guesses, "`exo options` lists every option"));
    }
    const priorityName = PRIORITY_NAMES[result.priority] ?? `mkOverride ${result.priority}`;
    if (values.json) {
      printJson({
        schema: JSON_SCHEMAS.explain,
        option: path,
        value: result.value,
        priority: result.priority,
        declaredIn: result.declaredIn,
        definitions: result.definitions.map((d) => ({ file: d.file, line: d.line, priority: d.priority, active: d.active, value: d.value ?? null })),
      });
      return 0;
    }
    const type = typeName(z.toJSONSchema(result.decl.type, { unrepresentable: "any", io: "input" }) as Record<string, unknown>);
    const lines = [
      `${path}`,
      `  value: ${JSON.stringify(result.value)}`,
      `  priority: ${result.priority} (${priorityName})`,
      `  type: ${type}`,
      `  default: ${result.decl.default === undefined ? "none (the option must be defined)" : typeof result.decl.default === "function" ? (result.decl.defaultText ?? "computed from the configuration") : JSON.stringify(result.decl.default)}`,
      `  declared in: ${result.declaredIn}`,
      `  description: ${result.decl.description}`,
      result.definitions.length ? "  definitions:" : "  definitions: none, the default applies",
      ...result.definitions.map((d) => {
        const status = !d.active ? "  (condition false)" : d.priority === result.priority ? "" : "  (overridden)";
        const prio = d.priority === PRIORITY.plain ? "" : ` [${PRIORITY_NAMES[d.priority] ?? `priority ${d.priority}`}]`;
        return `    - ${d.file}:${d.line}: ${d.value === undefined ? "(lazy value)" : JSON.stringify(d.value)}${prio}${status}`;
      }),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
    return 0;
  },
});
