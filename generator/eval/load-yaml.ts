// Load a YAML profile: imports plus option values, with the line of every
// key kept for error messages; `!force` and `!default` mark priorities.
import { isMap, isScalar, isSeq, LineCounter, parse, parseDocument, type Node as YamlNode, type ScalarTag, type CollectionTag, YAMLMap, YAMLSeq } from "yaml";
import { ExoError } from "../errors.ts";
import { YAML_MAX_ALIAS_COUNT } from "./limits.ts";
import type { Module } from "./module.ts";
import { mkDefault, mkForce } from "./markers.ts";
import { displayPath } from "./paths.ts";

/** A YAML file's value, with the line of every mapping key by dotted path; syntax errors and alias bombs are ExoErrors naming file:line:column. */
export function readYaml(file: string, source: string, what: string, customTags: Tags = []): { data: unknown; lines: Map<string, number>; lineOf: (path: readonly string[]) => number } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, customTags });
  const firstError = doc.errors[0];
  if (firstError) {
    // With prettyErrors off the error has no linePos: its offset goes through the line counter.
    const { line, col } = firstError.linePos?.[0] ?? lineCounter.linePos(firstError.pos[0]);
    throw new ExoError(
      "ERR_EXO_PROFILE_INVALID",
      `${displayPath(file)}:${line}:${col}: YAML syntax error: ${firstError.message.split("\n")[0]}`,
      `fix the YAML at that line and column (${what}, indented with spaces)`,
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: YAML_MAX_ALIAS_COUNT }) ?? {};
  } catch (e) {
    // The yaml package reports too many alias expansions (a "billion laughs") and aliases to no anchor this way.
    if (!(e instanceof ReferenceError)) throw e;
    const tooMany = /excessive alias count/i.test(e.message);
    throw new ExoError(
      "ERR_EXO_PROFILE_INVALID",
      tooMany
        ? `${displayPath(file)}: its aliases (*name) expand to more than the limit of ${YAML_MAX_ALIAS_COUNT} copies of their anchors (&name)`
        : `${displayPath(file)}: not valid YAML: ${e.message}`,
      tooMany ? "write the values out, or use fewer aliases of anchors that themselves hold aliases" : undefined,
    );
  }
  const lines = new Map<string, number>();
  collectLines(doc.contents, [], lineCounter, lines);
  // The line of the longest path that has one: an issue inside a list is placed at the list's key.
  const lineOf = (path: readonly string[]): number => {
    for (let n = path.length; n > 0; n--) {
      const line = lines.get(path.slice(0, n).join("."));
      if (line !== undefined) return line;
    }
    return 1;
  };
  return { data, lines, lineOf };
}

export function loadYaml(file: string, source: string): Module {
  const { data, lines, lineOf } = readYaml(file, source, "a YAML profile is a mapping of option namespaces", priorityTags);
  if (typeof data !== "object" || Array.isArray(data) || data === null) {
    throw new ExoError("ERR_EXO_PROFILE_INVALID", `${displayPath(file)}: a YAML profile is a mapping of option namespaces (and 'imports')`);
  }
  const { imports, ...config } = data as Record<string, unknown>;
  if (imports !== undefined && (!Array.isArray(imports) || !imports.every((i) => typeof i === "string"))) {
    throw new ExoError("ERR_EXO_PROFILE_INVALID", `${displayPath(file)}:${lineOf(["imports"])}: 'imports' must be a list of file paths`);
  }
  return {
    kind: "module",
    file,
    line: 1,
    lines,
    ...(imports ? { imports: imports as string[] } : {}),
    config: config as Module["config"],
  };
}

/**
 * `!force 1024`, `!force [a, b]` and `!default {...}`: the YAML spelling of
 * mkForce and mkDefault, on scalars, lists and mappings alike. A tagged
 * collection stays a node until the document's toJS, so aliases inside it
 * resolve (within the alias limit) like any others.
 */
type Tags = (ScalarTag | CollectionTag)[];
type ToJSContext = Parameters<YAMLSeq["toJSON"]>[1];
const priorities = { "!force": mkForce, "!default": mkDefault } as const;
const priorityTags: Tags = Object.entries(priorities).flatMap(([tag, mark]): Tags => {
  class MarkedMap extends YAMLMap {
    override toJSON(arg?: unknown, ctx?: ToJSContext): ReturnType<YAMLMap["toJSON"]> {
      return mark(super.toJSON(arg, ctx) as unknown);
    }
  }
  class MarkedSeq extends YAMLSeq {
    override toJSON(arg?: unknown, ctx?: ToJSContext): unknown[] {
      return mark(super.toJSON(arg, ctx)) as unknown as unknown[];
    }
  }
  return [
    { tag, resolve: (text: string) => mark(parse(text) as unknown) },
    { tag, collection: "map", nodeClass: MarkedMap },
    { tag, collection: "seq", nodeClass: MarkedSeq },
  ];
});

/** Record the line of every mapping key, by its dotted path. */
function collectLines(node: YamlNode | null, path: string[], counter: LineCounter, out: Map<string, number>): void {
  if (!isMap(node)) return;
  for (const pair of node.items) {
    if (!isScalar(pair.key)) continue;
    const keyPath = [...path, String(pair.key.value)];
    const offset = pair.key.range?.[0];
    if (offset !== undefined) out.set(keyPath.join("."), counter.linePos(offset).line);
    if (!isSeq(pair.value)) collectLines(pair.value as YamlNode | null, keyPath, counter, out);
  }
}
