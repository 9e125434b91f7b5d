// exo options: the reference of every option, from the declarations.
import { ExoError } from "../../errors.ts";
import { baseDeclarations, markdownReference, optionDocs, profileJsonSchema } from "../../eval/reference.ts";
import { didYouMean, suggestOptionPath } from "../../eval/suggest.ts";
import { defineCommand } from "../command.ts";
import { JSON_FLAG } from "../flags.ts";
import { JSON_SCHEMAS, printJson } from "../json.ts";

export default defineCommand({
  name: "options",
  summary: "List every option: description, type, default, example, and the module that declares it.",
  positionals: [{ name: "PREFIX", description: "only the options at or below this path, e.g. kernel.ipc", optional: true }],
  flags: {
    ...JSON_FLAG("exo.options/v1"),
    markdown: { type: "boolean", description: "the Markdown reference (docs/options.md)" },
    "json-schema": { type: "boolean", description: "the JSON Schema of YAML profiles (schemas/profile.schema.json)" },
  },
  async run({ values, positionals, usageError }) {
    const [prefix] = positionals;
    if ([values.json, values.markdown, values["json-schema"]].filter(Boolean).length > 1) {
      throw usageError("--json, --markdown and --json-schema exclude each other");
    }
    const all = optionDocs(await baseDeclarations());
    const docs = prefix === undefined ? all : all.filter((d) => d.path === prefix || d.path.startsWith(`${prefix}.`));
    if (docs.length === 0) {
      const guesses = suggestOptionPath(prefix!, [...all.map((d) => d.path), ...namespacesOf(all.map((d) => d.path))]);
      throw new ExoError("ERR_EXO_OPTION_UNKNOWN", `no option is at or below \`${prefix}\``, didYouMean(guesses, "`exo options` lists every option"));
    }
    if (values.json) {
      printJson({ schema: JSON_SCHEMAS.options, options: docs.map(({ jsonSchema: _, ...d }) => d) });
    } else if (values.markdown) {
      process.stdout.write(markdownReference(docs));
    } else if (values["json-schema"]) {
      printJson(profileJsonSchema(docs));
    } else {
      for (const d of docs) {
        process.stdout.write(`${d.path}\n    ${d.description}\n    type: ${d.type}\n    default: ${JSON.stringify(d.default)}\n    example: ${JSON.stringify(d.example)}\n    declared in: ${d.declaredIn}\n\n`);
      }
    }
    return 0;
  },
});

/** Every namespace above an option path: `kernel`, `kernel.ipc` for `kernel.ipc.ringSlots`. */
export function namespacesOf(paths: readonly string[]): string[] {
  const out = new Set<string>();
  for (const path of paths) {
    const parts = path.split(".");
    for (let n = 1; n < parts.length; n++) out.add(parts.slice(0, n).join("."));
  }
  return [...out].sort();
}
