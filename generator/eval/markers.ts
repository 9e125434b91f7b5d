// Definition markers, with the numbers of nixpkgs' lib/modules.nix. Each
// is plain data; generator/eval/sites.ts interprets them all in one place.
import type { Conditional, Merged, Ordered, Override } from "../../schemas/option.ts";
import type { Config } from "../../schemas/index.ts";

export const PRIORITY = {
  optionDefault: 1500,
  default: 1000,
  plain: 100,
  force: 50,
} as const;

export const ORDER = { before: 500, default: 1000, after: 1500 } as const;

export function mkOverride<T>(priority: number, content: T): Override<T> {
  return { _type: "override", priority, content };
}
/** A value that any plain definition replaces: for modules that suggest. */
export const mkDefault = <T>(content: T): Override<T> => mkOverride(PRIORITY.default, content);
/** A value that wins over plain definitions. */
export const mkForce = <T>(content: T): Override<T> => mkOverride(PRIORITY.force, content);
/** Same priority as an option's own default. */
export const mkOptionDefault = <T>(content: T): Override<T> => mkOverride(PRIORITY.optionDefault, content);

/**
 * Definitions that apply only when `condition` holds. Pass a function of the
 * final config to read other options: it is called only when an option
 * inside `content` is evaluated, so the condition may depend on anything
 * that does not depend on this very definition.
 */
export function mkIf<T, C = Config>(condition: boolean | ((config: C) => boolean), content: T): Conditional<T, C> {
  return { _type: "if", condition, content };
}

/** Several definitions (each possibly conditional) at one place. */
export function mkMerge<T>(contents: readonly T[]): Merged<T> {
  return { _type: "merge", contents };
}

export function mkOrder<T>(order: number, content: T): Ordered<T> {
  return { _type: "order", order, content };
}
/** List elements placed before those of plain definitions. */
export const mkBefore = <T>(content: T): Ordered<T> => mkOrder(ORDER.before, content);
/** List elements placed after those of plain definitions. */
export const mkAfter = <T>(content: T): Ordered<T> => mkOrder(ORDER.after, content);

type AnyMarker = Override<unknown> | Conditional<unknown, unknown> | Merged<unknown> | Ordered<unknown>;

/** The marker a definition value is, if any. Option values never carry `_type`. */
export function markerKind(value: unknown): AnyMarker["_type"] | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const kind = (value as { _type?: unknown })._type;
  return kind === "override" || kind === "if" || kind === "merge" || kind === "order" ? kind : undefined;
}
