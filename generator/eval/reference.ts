// The option reference, generated from the declarations: for `exo options`
// (text, JSON, Markdown) and the JSON Schema that YAML profiles are checked
// and completed against in editors.
import { z } from "zod";
import { baseModules } from "../../modules/index.ts";
import { collectModules } from "./collect.ts";
import { collectDeclarations, type Declarations } from "./declarations.ts";
import { elementsOf } from "./merge.ts";
import { isAliasDecl, isOptionDecl, isRemovedDecl, type OptionDecl, type OptionTree } from "../../schemas/option.ts";

export interface OptionDoc {
  /** Dotted; `<name>` stands for an element of a map of submodules, `*` for one of a list. */
  readonly path: string;
  readonly description: string;
  readonly type: string;
  /** The default value; null when it is computed or there is none (defaultText says which). */
  readonly default: unknown;
  /** How a computed default is found, or that there is none; absent for a plain default. */
  readonly defaultText?: string;
  readonly example: unknown;
  readonly declaredIn: string;
  readonly readOnly: boolean;
  readonly jsonSchema: JsonSchema;
  /** An option of a submodule's elements: documented, but part of its option's JSON Schema. */
  readonly inElement: boolean;
}

type JsonSchema = { [key: string]: unknown };

export async function baseDeclarations(): Promise<Declarations> {
  return collectDeclarations(await collectModules(baseModules));
}

export function optionDocs(declarations: Declarations): OptionDoc[] {
  const docs: OptionDoc[] = [];
  const add = (path: string, decl: OptionDecl, declaredIn: string, inElement: boolean): void => {
    const { $schema: _, ...jsonSchema } = z.toJSONSchema(decl.type, { unrepresentable: "any", io: "input" }) as JsonSchema;
    const computed = typeof decl.default === "function";
    const defaultText = decl.default === undefined ? "none: the option must be defined" : computed ? (decl.defaultText ?? "computed from the configuration") : undefined;
    docs.push({
      path,
      description: decl.description,
      type: typeName(jsonSchema),
      default: decl.default === undefined || computed ? null : decl.default,
      ...(defaultText ? { defaultText } : {}),
      example: decl.example,
      declaredIn: declaredIn.replace(/:\d+$/, ""),
      readOnly: decl.readOnly === true,
      jsonSchema,
      inElement,
    });
    // types.submodule: the options of its elements, below `<name>` (a map) or `*` (a list).
    const elements = elementsOf(decl.type);
    if (elements) walkTree(elements.spec.options, elements.segment ? `${path}.${elements.segment}` : path, (sub, d) => add(sub, d, declaredIn, true));
  };
  for (const { path, decl, declaredIn } of declarations.options.values()) add(path, decl, declaredIn, false);
  return docs.sort((a, b) => (a.path < b.path ? -1 : 1));
}

function walkTree(tree: OptionTree, prefix: string, visit: (path: string, decl: OptionDecl) => void): void {
  for (const [name, node] of Object.entries(tree)) {
    if (isOptionDecl(node)) visit(`${prefix}.${name}`, node);
    else if (!isAliasDecl(node) && !isRemovedDecl(node)) walkTree(node, `${prefix}.${name}`, visit);
  }
}

/** A short human name for a JSON Schema type: "integer, 16 to 65536", "list of one of ...". */
export function typeName(s: JsonSchema): string {
  if (Array.isArray(s.enum)) return `one of ${s.enum.map((v) => JSON.stringify(v)).join(", ")}`;
  if (Array.isArray(s.anyOf)) {
    const parts = s.anyOf as JsonSchema[];
    if (parts.every((p) => "const" in p)) return `one of ${parts.map((p) => JSON.stringify(p.const)).join(", ")}`;
    return parts.map(typeName).join(" or ");
  }
  switch (s.type) {
    case "integer":
    case "number": {
      const low = s.minimum ?? s.exclusiveMinimum;
      const max = s.maximum ?? s.exclusiveMaximum;
      // zod's int() bounds by the safe-integer range: not worth printing.
      const high = typeof max === "number" && max >= Number.MAX_SAFE_INTEGER ? undefined : max;
      const range = low !== undefined && high !== undefined ? `, ${low}${s.exclusiveMinimum !== undefined ? " (excluded)" : ""} to ${high}` : low !== undefined ? `, at least ${low}` : "";
      return `${s.type}${range}`;
    }
    case "string": {
      const most = typeof s.maxLength === "number" ? ` of at most ${s.maxLength} characters` : "";
      return typeof s.pattern === "string" ? `string${most} matching ${s.pattern}` : `string${most}`;
    }
    case "boolean":
      return "boolean";
    case "array":
      return `list of ${typeName((s.items ?? {}) as JsonSchema)}${typeof s.minItems === "number" && s.minItems > 0 ? ` (at least ${s.minItems})` : ""}`;
    case "object": {
      if (s.additionalProperties && typeof s.additionalProperties === "object" && !s.properties) {
        const keys = s.propertyNames && typeof s.propertyNames === "object" ? typeName(s.propertyNames as JsonSchema) : "name";
        return `map of ${keys === "string" ? "name" : `name (${keys})`} to ${typeName(s.additionalProperties as JsonSchema)}`;
      }
      const props = Object.keys((s.properties ?? {}) as object);
      return `record { ${props.join(", ")} }`;
    }
    default:
      return "any";
  }
}

export function markdownReference(docs: readonly OptionDoc[]): string {
  const out = [
    "# Option reference",
    "",
    "Generated by `exo options --markdown` from the declarations in `schemas/` and `modules/`; a test keeps it current.",
    "",
  ];
  for (const d of docs) {
    out.push(
      `## \`${d.path}\``,
      "",
      d.description,
      "",
      `- **Type:** ${d.type}`,
      d.defaultText ? `- **Default:** ${d.defaultText}` : `- **Default:** \`${JSON.stringify(d.default)}\``,
      `- **Example:** \`${JSON.stringify(d.example)}\``,
      `- **Declared in:** \`${d.declaredIn}\`${d.readOnly ? " (read-only)" : ""}`,
      "",
    );
  }
  return out.join("\n");
}

/** JSON Schema of a YAML profile: `imports` plus every option namespace. */
export function profileJsonSchema(docs: readonly OptionDoc[]): JsonSchema {
  const root: JsonSchema = {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "exo.profile/v1",
    title: "Exo profile",
    description: "A YAML profile: imports plus option values. Generated by `exo options --json-schema`.",
    type: "object",
    properties: { imports: { type: "array", items: { type: "string" }, description: "Profiles or modules (.ts or .yaml) to import, relative to this file." } },
    additionalProperties: false,
  };
  for (const d of docs) {
    if (d.inElement) continue;
    let node = root;
    for (const key of d.path.split(".").slice(0, -1)) {
      const props = node.properties as Record<string, JsonSchema>;
      node = props[key] ??= { type: "object", properties: {}, additionalProperties: false };
    }
    (node.properties as Record<string, JsonSchema>)[d.path.split(".").pop()!] = {
      ...d.jsonSchema,
      description: d.description,
      ...(d.defaultText ? {} : { default: d.default }),
      examples: [d.example],
    };
  }
  return root;
}
