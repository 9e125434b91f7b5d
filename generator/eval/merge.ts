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

export interface Defined {
  readonly value: unknown;
  readonly file: string;
  readonly line: number;
  /** Set for the option's own default, taken as a definition at priority 1500. */
  readonly isDefault?: boolean;
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

type Def = { type?: string; shape?: Record<string, z.ZodType>; valueType?: z.ZodType; element?: z.ZodType; innerType?: z.ZodType };

function defOf(type: z.ZodType | undefined): Def {
  let def = (type as { def?: Def } | undefined)?.def ?? {};
  // See through wrappers that do not change how values merge.
  while ((def.type === "default" || def.type === "optional" || def.type === "nullable" || def.type === "prefault") && def.innerType) {
    def = (def.innerType as { def?: Def }).def ?? {};
  }
  return def;
}

export function isListType(type: z.ZodType): boolean {
  return defOf(type).type === "array";
}

/** A map option (z.record): user-chosen names as keys, merged key by key. */
export function isMapType(type: z.ZodType): boolean {
  return defOf(type).type === "record";
}

export function mergeDefinitions(ctx: MergeContext, type: z.ZodType | undefined, defs: readonly Defined[], inner: readonly string[] = []): unknown {
  const def = defOf(type);
  // One definition of the whole option: the check of the merged value names it just as well.
  if (inner.length === 0 && defs.length === 1 && !defs[0]!.isDefault) type = undefined;
  const shaped = (v: unknown) => (def.type === "array" ? Array.isArray(v) : isPlainObject(v));
  if (def.type === "array" || def.type === "object" || def.type === "record") {
    // types.listOf/attrsOf check: the container's shape, per definition (null for a nullable list is a value, not a list).
    if (type) for (const d of defs) if (!shaped(d.value)) checkOne(ctx, type, d, inner);
    if (defs.every((d) => shaped(d.value))) {
      if (def.type === "array") {
        if (ctx.strict && type && def.element) for (const d of defs) (d.value as unknown[]).forEach((el, i) => checkOne(ctx, def.element!, { ...d, value: el }, [...inner, String(i)]));
        return defs.flatMap((d) => d.value as unknown[]);
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
    const type = isRecord ? def.valueType : def.shape && Object.hasOwn(def.shape, key) ? def.shape[key] : undefined;
    const parts: Prioritised[] = [];
    for (const d of defs) if (Object.hasOwn(d.value as object, key)) discharge(ctx, { ...d, value: (d.value as Record<string, unknown>)[key] }, PRIORITY.plain, ORDER.default, parts);
    const winners = filterOverrides(parts);
    // Every definition of the key was under a false mkIf: the key is not defined (its default, if any, applies).
    if (winners.length === 0) continue;
    if (winners.some((w) => w.order !== ORDER.default)) {
      if (defOf(type).type !== "array") throw new ExoError("ERR_EXO_OPTION_TYPE", `${where(winners[0]!)}: mkOrder, mkBefore and mkAfter apply to lists, and \`${ctx.option}\` at \`${[...inner, key].join(".")}\` is not one`);
      winners.sort((a, b) => a.order - b.order || a.index - b.index);
    }
    setOwn(out, key, mergeDefinitions(ctx, type, winners, [...inner, key]));
  }
  return out;
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
  const problem = issue.code === "unrecognized_keys" ? `the key ${JSON.stringify(String(issue.keys[0]))} is not among the names this option allows` : `${issue.message}; got ${describeValue(valueAt(d.value, issue.path))}`;
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
