// Evaluate modules into a Config: gather option declarations, gather every
// definition with where it came from, merge them by priority and type,
// check each value against its zod type, and freeze the result.
import type { z } from "zod";
import { isOptionDecl, type OptionDecl, type OptionTree } from "../../schemas/option.ts";
import type { Config } from "../../schemas/index.ts";
import { hashJson } from "../../store/hash.ts";
import { ExoError } from "../errors.ts";
import { collectModules } from "./collect.ts";
import type { Module } from "./module.ts";
import { displayPath } from "./paths.ts";
import { isOverride, PRIORITY } from "./priority.ts";
import { suggest } from "./suggest.ts";

export interface Definition {
  readonly file: string;
  readonly line: number;
  readonly priority: number;
  readonly value: unknown;
}

export interface Declaration {
  readonly decl: OptionDecl;
  readonly file: string;
}

export interface OptionResult {
  readonly value: unknown;
  /** Priority of the definitions that won; PRIORITY.optionDefault when the default was used. */
  readonly priority: number;
  readonly definitions: readonly Definition[];
  readonly declaredIn: string;
}

export interface Evaluation {
  readonly config: Config;
  /** sha256 of the canonical JSON of the config. */
  readonly hash: string;
  /** Every option by dotted path, sorted. */
  readonly options: ReadonlyMap<string, OptionResult>;
}

export async function evaluateModules(roots: readonly Module[]): Promise<Evaluation> {
  const modules = await collectModules(roots);
  const declarations = collectDeclarations(modules);
  const definitions = new Map<string, Definition[]>();
  for (const module of modules) {
    if (module.config !== undefined) collectDefinitions(module, module.config, [], PRIORITY.plain, declarations, definitions);
  }
  const options = new Map<string, OptionResult>();
  const config: Record<string, unknown> = {};
  for (const path of [...declarations.keys()].sort()) {
    const { decl, file } = declarations.get(path)!;
    const result = mergeOption(path, decl, file, definitions.get(path) ?? []);
    options.set(path, result);
    setPath(config, path.split("."), result.value);
  }
  const frozen = deepFreeze(config) as Config;
  return { config: frozen, hash: hashJson(frozen), options };
}

function collectDeclarations(modules: readonly Module[]): Map<string, Declaration> {
  const out = new Map<string, Declaration>();
  const walk = (tree: OptionTree, prefix: string[], module: Module): void => {
    for (const [name, node] of Object.entries(tree)) {
      const path = [...prefix, name];
      if (!isOptionDecl(node)) {
        walk(node, path, module);
        continue;
      }
      const key = path.join(".");
      const previous = out.get(key);
      if (previous && previous.decl !== node) {
        throw new ExoError(
          "ERR_EXO_OPTION_DECLARED_TWICE",
          `option \`${key}\` is declared twice:\n  - in ${previous.file}\n  - in ${where(module)}`,
          "declare each option in one module; other modules only define values for it",
        );
      }
      out.set(key, { decl: node, file: previous?.file ?? where(module) });
    }
  };
  for (const module of modules) if (module.options) walk(module.options, [], module);
  return out;
}

/** Walk a definition tree along the declared options, recording one Definition per option set. */
function collectDefinitions(
  module: Module,
  value: unknown,
  path: string[],
  priority: number,
  declarations: ReadonlyMap<string, Declaration>,
  out: Map<string, Definition[]>,
): void {
  if (isOverride(value)) {
    collectDefinitions(module, value.content, path, value.priority, declarations, out);
    return;
  }
  const key = path.join(".");
  if (declarations.has(key)) {
    const line = module.lines?.get(key) ?? module.line;
    const list = out.get(key) ?? [];
    list.push({ file: displayPath(module.file), line, priority, value });
    out.set(key, list);
    return;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ExoError(
      "ERR_EXO_OPTION_TYPE",
      `${locate(module, key)}: \`${key || "config"}\` is a set of options, not a value; got ${describe(value)}`,
      `set the options inside it, e.g. ${exampleChild(key, declarations)}`,
    );
  }
  for (const [name, child] of Object.entries(value)) {
    const childPath = [...path, name];
    const childKey = childPath.join(".");
    const known = [...declarations.keys()].some((k) => k === childKey || k.startsWith(`${childKey}.`));
    if (!known) throw unknownOption(module, childKey, declarations);
    collectDefinitions(module, child, childPath, priority, declarations, out);
  }
}

function mergeOption(path: string, decl: OptionDecl, declaredIn: string, defs: readonly Definition[]): OptionResult {
  if (defs.length === 0) {
    const value = check(path, decl, decl.default, `the default declared in ${declaredIn}`);
    return { value, priority: PRIORITY.optionDefault, definitions: [], declaredIn };
  }
  if (decl.readOnly) {
    throw new ExoError("ERR_EXO_OPTION_READ_ONLY", `option \`${path}\` is read-only but is defined in ${defs.map(at).join(", ")}`);
  }
  const best = Math.min(...defs.map((d) => d.priority));
  const winners = defs.filter((d) => d.priority === best);
  let merged: unknown;
  if (isListType(decl.type)) {
    merged = winners.flatMap((d) => (Array.isArray(d.value) ? d.value : [d.value]));
  } else {
    const first = hashJson(winners[0]!.value);
    if (winners.some((d) => hashJson(d.value) !== first)) {
      throw new ExoError(
        "ERR_EXO_OPTION_CONFLICT",
        `option \`${path}\` is defined multiple times with different values:\n${winners.map((d) => `  - in ${at(d)}: ${JSON.stringify(d.value)}`).join("\n")}`,
        "define it once, or use mkForce or mkDefault to change the priority of one definition",
      );
    }
    merged = winners[0]!.value;
  }
  const value = check(path, decl, merged, winners.map(at).join(", "));
  return { value, priority: best, definitions: defs, declaredIn };
}

function check(path: string, decl: OptionDecl, value: unknown, source: string): unknown {
  const parsed = decl.type.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const inner = issue.path.length ? ` at ${issue.path.join(".")}` : "";
  throw new ExoError(
    "ERR_EXO_OPTION_TYPE",
    `option \`${path}\`${inner} has a wrong value (defined in ${source}): ${issue.message}; got ${describe(valueAt(value, issue.path))}`,
    `${decl.description} Example: ${JSON.stringify(decl.example)}`,
  );
}

function isListType(type: z.ZodType): boolean {
  return (type as { def?: { type?: string } }).def?.type === "array";
}

function unknownOption(module: Module, key: string, declarations: ReadonlyMap<string, Declaration>): ExoError {
  const parent = key.includes(".") ? key.slice(0, key.lastIndexOf(".")) : "";
  const siblings = new Set<string>();
  for (const k of declarations.keys()) {
    if (parent === "" || k.startsWith(`${parent}.`)) {
      const rest = parent === "" ? k : k.slice(parent.length + 1);
      siblings.add(parent === "" ? rest.split(".")[0]! : `${parent}.${rest.split(".")[0]}`);
    }
  }
  const guesses = suggest(key, siblings);
  return new ExoError(
    "ERR_EXO_OPTION_UNKNOWN",
    `${locate(module, key)}: option \`${key}\` does not exist`,
    guesses.length ? `did you mean ${guesses.map((g) => `\`${g}\``).join(", ")}?` : "`exo options` lists every option",
  );
}

function exampleChild(key: string, declarations: ReadonlyMap<string, Declaration>): string {
  const child = [...declarations.keys()].find((k) => key === "" || k.startsWith(`${key}.`));
  return child ? `\`${child}\`` : "its options";
}

function locate(module: Module, key: string): string {
  return `${displayPath(module.file)}:${module.lines?.get(key) ?? module.line}`;
}

function where(module: Module): string {
  return `${displayPath(module.file)}:${module.line}`;
}

function at(d: Definition): string {
  return `${d.file}:${d.line}`;
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const key of path) v = v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const name of path.slice(0, -1)) node = (node[name] ??= {}) as Record<string, unknown>;
  node[path[path.length - 1]!] = value;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
