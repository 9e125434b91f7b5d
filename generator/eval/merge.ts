// Merge the winning definitions of one option, by the option's type, as
// modules.nix's mergeDefinitions does: each definition is checked against
// the type on its own first (so an error names its file:line), then lists
// concatenate, records (objects and maps) merge key by key, and any other
// value must be the same in every definition. Inside a record, the value
// of each key is itself a set of definitions: markers there (mkIf, mkMerge,
// mkOverride/mkForce/mkDefault, mkOrder) apply to that key, as NixOS's
// attrsOf and submodule merges discharge them per attribute.
import type { z } from "zod";
import { hashJson } from "../../store/hash.ts";
import { ExoError } from "../errors.ts";
import { setOwn } from "./keys.ts";
import { markerKind, ORDER, PRIORITY } from "./markers.ts";
import { describeValue } from "./sites.ts";
import { nearValues } from "./suggest.ts";
import { separatorOf, submoduleOf, type SubmoduleSpec } from "../../schemas/types.ts";

export interface Defined {
  readonly value: unknown;
  readonly file: string;
  readonly line: number;
  /** Set for the option's own default, taken as a definition at priority 1500. */
  readonly isDefault?: boolean;
  /** Lines of the keys inside the value, by full option path (YAML): a submodule element's errors name the line of the key. */
  readonly lines?: ReadonlyMap<string, number>;
}

/** What merging needs from the evaluator: how to test a lazy condition, and the hint of a type error. */
export interface MergeContext {
  readonly option: string;
  readonly hint: string;
  readonly test: (condition: (config: never) => boolean, def: Defined) => boolean;
  /**
   * Check every definition's leaves on their own. Off on the first merge, for speed: the merged
   * value is checked as a whole; when that or the merge fails, merging again with it on names the
   * definition at fault (mergeAndCheck).
   */
  readonly strict?: boolean;
  /** Evaluate one element of a submodule type from its definitions; `inner` ends with its name. */
  readonly submodule: (spec: SubmoduleSpec, defs: readonly Defined[], inner: readonly string[]) => unknown;
  /** Report something that changes nothing but is likely a mistake. */
  readonly warn: (message: string) => void;
}

/** Merge and check with `check`; on a conflict or type error, a definition that is wrong on its own is reported first, as NixOS checks each before merging. */
export function mergeAndCheck<T>(ctx: MergeContext, type: z.ZodType, defs: readonly Defined[], check: (merged: unknown) => T): T {
  try {
    return check(mergeDefinitions(ctx, type, defs));
  } catch (e) {
    if (e instanceof ExoError && (e.code === "ERR_EXO_OPTION_CONFLICT" || e.code === "ERR_EXO_OPTION_TYPE")) mergeDefinitions({ ...ctx, strict: true }, type, defs);
    throw e;
  }
}

type Def = { type?: string; shape?: Record<string, z.ZodType>; valueType?: z.ZodType; element?: z.ZodType; innerType?: z.ZodType; catchall?: z.ZodType; options?: readonly z.ZodType[] };

/** The type inside wrappers that do not change how values merge (default, optional, nullable). */
function innermost(type: z.ZodType | undefined): z.ZodType | undefined {
  let t = type;
  for (let def = (t as { def?: Def } | undefined)?.def; def && (def.type === "default" || def.type === "optional" || def.type === "nullable" || def.type === "prefault") && def.innerType; def = (t as { def?: Def }).def) {
    t = def.innerType;
  }
  return t;
}

function defOf(type: z.ZodType | undefined): Def {
  return (innermost(type) as { def?: Def } | undefined)?.def ?? {};
}

export function isListType(type: z.ZodType): boolean {
  return defOf(type).type === "array";
}

/** Types whose definitions are placed by mkOrder/mkBefore/mkAfter: lists and separated strings (types.lines). */
export function isOrderedType(type: z.ZodType | undefined): boolean {
  const def = defOf(type);
  if (def.type === "union") return def.options!.some(isOrderedType);
  return def.type === "array" || separatorOf(innermost(type)) !== undefined;
}

/**
 * The submodule whose options an option's elements have, and the path segment that stands for an
 * element in the reference: none for a submodule option, `<name>` in a map, `*` in a list.
 */
export function elementsOf(type: z.ZodType): { readonly spec: SubmoduleSpec; readonly segment?: string } | undefined {
  const own = submoduleOf(innermost(type));
  if (own) return { spec: own };
  const def = defOf(type);
  const inner = def.type === "record" ? def.valueType : def.type === "array" ? def.element : undefined;
  const spec = submoduleOf(innermost(inner));
  return spec && { spec, segment: def.type === "record" ? "<name>" : "*" };
}

/** A map option (z.record): user-chosen names as keys, merged key by key. */
export function isMapType(type: z.ZodType): boolean {
  return defOf(type).type === "record";
}

export function mergeDefinitions(ctx: MergeContext, type: z.ZodType | undefined, defs: readonly Defined[], inner: readonly string[] = []): unknown {
  const def = defOf(type);
  const element = submoduleOf(innermost(type));
  // A submodule element is a module system of its own: its definitions go there whole.
  if (element && defs.every((d) => isPlainObject(d.value))) return ctx.submodule(element, defs, inner);
  const separator = separatorOf(innermost(type));
  if (separator !== undefined && defs.every((d) => typeof d.value === "string")) return defs.map((d) => d.value).join(separator);
  if (def.type === "union" && defs.length > 1) {
    // types.either: the first member that every definition checks against merges them all.
    const member = def.options!.find((t) => defs.every((d) => t.safeParse(d.value).success));
    if (member) return mergeDefinitions(ctx, member, defs, inner);
  }
  // types.anything: sets merge name by name, anything else must be equal.
  if ((def.type === "unknown" || def.type === "any") && defs.length > 1 && defs.every((d) => isPlainObject(d.value))) {
    return mergeRecord(ctx, { type: "record", valueType: innermost(type) }, defs, inner);
  }
  // One definition of the whole option: the check of the merged value names it just as well.
  if (inner.length === 0 && defs.length === 1 && !defs[0]!.isDefault) type = undefined;
  const shaped = (v: unknown) => (def.type === "array" ? Array.isArray(v) : isPlainObject(v));
  if (def.type === "array" || def.type === "object" || def.type === "record") {
    // types.listOf/attrsOf check: the container's shape, per definition (null for a nullable list is a value, not a list).
    if (type) for (const d of defs) if (!shaped(d.value)) checkOne(ctx, type, d, inner);
    if (defs.every((d) => shaped(d.value))) {
      if (def.type === "array") {
        if (ctx.strict && type && def.element) for (const d of defs) (d.value as unknown[]).forEach((el, i) => checkOne(ctx, def.element!, { ...d, value: el }, [...inner, String(i)]));
        const elements = defs.flatMap((d) => (d.value as unknown[]).map((value) => ({ ...d, value })));
        // listOf submodule: each element is evaluated on its own, named by its index.
        const each = submoduleOf(innermost(def.element));
        if (each && elements.every((d) => isPlainObject(d.value))) return elements.map((d, i) => ctx.submodule(each, [d], [...inner, String(i)]));
        return elements.map((d) => d.value);
      }
      return mergeRecord(ctx, def, defs, inner);
    }
  }
  if (ctx.strict && type) for (const d of defs) checkOne(ctx, type, d, inner);
  const first = identity(defs[0]!.value);
  if (defs.some((d) => identity(d.value) !== first)) {
    const at = inner.length ? ` at \`${inner.join(".")}\`` : "";
    throw new ExoError(
      "ERR_EXO_OPTION_CONFLICT",
      `option \`${ctx.option}\`${at} is defined multiple times with different values:\n${defs.map((d) => `  - in ${where(d)}: ${describeValue(d.value)}`).join("\n")}`,
      "define it once, or use mkForce or mkDefault to change the priority of one definition",
    );
  }
  return defs[0]!.value;
}

function mergeRecord(ctx: MergeContext, def: Def, defs: readonly Defined[], inner: readonly string[]): unknown {
  const isRecord = def.type === "record";
  const keys = [...new Set(defs.flatMap((d) => Object.keys(d.value as object)))];
  // Own keys only, into an object without a prototype: a key such as `constructor` is
  // the definition's entry, never Object.prototype's.
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of keys) {
    const type = isRecord ? def.valueType : def.shape && Object.hasOwn(def.shape, key) ? def.shape[key] : freeformOf(def);
    const parts: Prioritised[] = [];
    for (const d of defs) if (Object.hasOwn(d.value as object, key)) discharge(ctx, { ...d, value: (d.value as Record<string, unknown>)[key] }, PRIORITY.plain, ORDER.default, parts);
    const winners = filterOverrides(parts);
    // Every definition of the key was under a false mkIf: the key is not defined (its default, if any, applies).
    if (winners.length === 0) continue;
    if (winners.some((w) => w.order !== ORDER.default)) {
      if (isOrderedType(type)) winners.sort((a, b) => a.order - b.order || a.index - b.index);
      else ctx.warn(`${where(winners.find((w) => w.order !== ORDER.default)!)}: mkOrder, mkBefore and mkAfter have no effect on \`${[ctx.option, ...inner, key].join(".")}\`, which is not a list or a separated string`);
    }
    setOwn(out, key, mergeDefinitions(ctx, type, winners, [...inner, key]));
  }
  return out;
}

/** The type of names a record does not declare (z.object().catchall, a submodule's freeformType); a strict record has none. */
function freeformOf(def: Def): z.ZodType | undefined {
  return def.catchall && defOf(def.catchall).type !== "never" ? def.catchall : undefined;
}

interface Prioritised extends Defined {
  readonly priority: number;
  readonly order: number;
  readonly index: number;
}

/** modules.nix dischargeProperties, with mkOverride and mkOrder noted: a value's markers into plain definitions. */
function discharge(ctx: MergeContext, d: Defined, priority: number, order: number, out: Prioritised[]): void {
  const v = d.value as Record<string, unknown>;
  switch (markerKind(d.value)) {
    case "merge":
      for (const part of v.contents as unknown[]) discharge(ctx, { ...d, value: part }, priority, order, out);
      return;
    case "if": {
      const condition = v.condition;
      // As for the conditions around whole options (evaluate.ts): tested for truth.
      const on = typeof condition === "function" ? ctx.test(condition as (config: never) => boolean, d) : condition;
      if (on) discharge(ctx, { ...d, value: v.content }, priority, order, out);
      return;
    }
    case "override":
      return discharge(ctx, { ...d, value: v.content }, v.priority as number, order, out);
    case "order":
      return discharge(ctx, { ...d, value: v.content }, priority, v.order as number, out);
    default:
      out.push({ ...d, priority, order, index: out.length });
  }
}

/** modules.nix filterOverrides: the definitions of the highest priority (lowest number); losers' values are never looked at. */
function filterOverrides(defs: readonly Prioritised[]): Prioritised[] {
  let best = Infinity;
  for (const d of defs) if (d.priority < best) best = d.priority;
  return defs.filter((d) => d.priority === best);
}

/** Check one definition against `type` on its own, naming it. */
function checkOne(ctx: MergeContext, type: z.ZodType, d: Defined, inner: readonly string[]): void {
  const parsed = type.safeParse(d.value);
  if (parsed.success) return;
  const issue = parsed.error.issues[0]!;
  const at = [...inner, ...(issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]!] : issue.path)].map(String);
  const inside = at.length ? ` at \`${at.join(".")}\`` : "";
  if (d.isDefault) {
    throw new ExoError("ERR_EXO_OPTION_TYPE", `the default of option \`${ctx.option}\`${inside} is invalid (${d.file}): ${issue.message}; got ${describeValue(d.value)}`, "fix the option's declaration");
  }
  const got = valueAt(d.value, issue.path);
  const problem = issue.code === "unrecognized_keys" ? `the key ${JSON.stringify(String(issue.keys[0]))} is not among the names this option allows` : `${issue.message}; got ${describeValue(got)}${nearValues(issue, got)}`;
  throw new ExoError("ERR_EXO_OPTION_TYPE", `option \`${ctx.option}\`${inside} has a wrong value (defined in ${where(d)}): ${problem}`, ctx.hint);
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const key of path) v = v !== null && typeof v === "object" && Object.hasOwn(v, key) ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

export function where(d: Defined): string {
  return d.isDefault ? d.file : `${d.file}:${d.line}`;
}

/** What makes two values the same: their canonical JSON; a function is only itself. */
function identity(value: unknown): unknown {
  if (typeof value === "function") return value;
  try {
    return hashJson(value);
  } catch {
    return value;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
