// Merge the winning definitions of one option, by the option's type:
// lists concatenate, records (objects and maps) merge key by key, and any
// other value must be the same in every definition.
import type { z } from "zod";
import { hashJson } from "../../store/hash.ts";
import { ExoError } from "../errors.ts";
import { setOwn } from "./keys.ts";
import { describeValue } from "./sites.ts";

export interface Defined {
  readonly value: unknown;
  readonly file: string;
  readonly line: number;
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

export function mergeDefinitions(option: string, type: z.ZodType | undefined, defs: readonly Defined[], inner: readonly string[] = []): unknown {
  const def = defOf(type);
  if (def.type === "array") return defs.flatMap((d) => (Array.isArray(d.value) ? d.value : [d.value]));
  const isRecord = def.type === "record";
  if ((def.type === "object" || isRecord) && defs.every((d) => isPlainObject(d.value))) {
    const keys = [...new Set(defs.flatMap((d) => Object.keys(d.value as object)))];
    // Own keys only, into an object without a prototype: a key such as `constructor` is
    // the definition's entry, never Object.prototype's.
    const out = Object.create(null) as Record<string, unknown>;
    for (const key of keys) {
      const parts = defs.filter((d) => Object.hasOwn(d.value as object, key)).map((d) => ({ ...d, value: (d.value as Record<string, unknown>)[key] }));
      const type = isRecord ? def.valueType : def.shape && Object.hasOwn(def.shape, key) ? def.shape[key] : undefined;
      setOwn(out, key, mergeDefinitions(option, type, parts, [...inner, key]));
    }
    return out;
  }
  const first = hashJson(defs[0]!.value);
  if (defs.some((d) => hashJson(d.value) !== first)) {
    const at = inner.length ? ` at \`${inner.join(".")}\`` : "";
    throw new ExoError(
      "ERR_EXO_OPTION_CONFLICT",
      `option \`${option}\`${at} is defined multiple times with different values:\n${defs.map((d) => `  - in ${d.file}:${d.line}: ${describeValue(d.value)}`).join("\n")}`,
      "define it once, or use mkForce or mkDefault to change the priority of one definition",
    );
  }
  return defs[0]!.value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
