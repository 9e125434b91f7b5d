// Priorities, with the numbers of nixpkgs' lib/modules.nix: the lowest
// number wins. A plain definition is 100; an option's own default 1500.
import type { Override } from "../../schemas/option.ts";

export const PRIORITY = {
  optionDefault: 1500,
  default: 1000,
  plain: 100,
  force: 50,
} as const;

export function mkOverride<T>(priority: number, content: T): Override<T> {
  return { kind: "override", priority, content };
}

/** A value that any plain definition replaces: for modules that suggest. */
export const mkDefault = <T>(content: T): Override<T> => mkOverride(PRIORITY.default, content);
/** A value that wins over plain definitions. */
export const mkForce = <T>(content: T): Override<T> => mkOverride(PRIORITY.force, content);
/** Same priority as an option's own default. */
export const mkOptionDefault = <T>(content: T): Override<T> => mkOverride(PRIORITY.optionDefault, content);

export function isOverride(value: unknown): value is Override<unknown> {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "override";
}
