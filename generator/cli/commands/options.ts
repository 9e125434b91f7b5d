// exo options: the reference of every option, from the declarations.
import { ExoError } from "../../errors.ts";
import { baseDeclarations, markdownReference, optionDocs, profileJsonSchema } from "../../eval/reference.ts";
import { didYouMean, suggestOptionPath } from "../../eval/suggest.ts";
import { defineCommand, expectPositionals } from "../command.ts";
import { JSON_SCHEMAS, printJson } from "../json.ts";

const usage = "options [PREFIX] [--json | --markdown | --json-schema]";

export default defineCommand({
  name: "options",
  summary: "List every option: description, type, default, example, and the module that declares it.",
  usage,
  help: [
    "PREFIX              only the options at or below this path, e.g. kernel.ipc",
    "--json              a JSON document (schema exo.options/v1)",
    "--markdown          the Markdown reference (docs/options.md)",
    "--json-schema       the JSON Schema of YAML profiles (schemas/profile.schema.json)",
  ],
  options: { json: { type: "boolean" }, markdown: { type: "boolean" }, "json-schema": { type: "boolean" } },
  async run({ values, positionals }) {
    const [prefix] = expectPositionals(positionals, ["PREFIX"], usage, 1);
    if ([values.json, values.markdown, values["json-schema"]].filter(Boolean).length > 1) {
      throw new ExoError("ERR_EXO_USAGE", "--json, --markdown and --json-schema exclude each other", `usage: exo ${usage}`);
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
