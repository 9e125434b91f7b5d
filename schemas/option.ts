// An option is data: its zod type, default, description and example.
// Every option namespace in schemas/ is a tree of these; the evaluator,
// the TypeScript profile types and the option reference are all derived
// from the same trees.
import type { z } from "zod";

export interface OptionDecl<T extends z.ZodType = z.ZodType> {
  readonly kind: "option";
  readonly type: T;
  readonly default: z.output<T>;
  readonly description: string;
  readonly example: z.input<T>;
  /** Set by the system itself; a profile may not define it. */
  readonly readOnly?: boolean;
}

export interface OptionTree {
  readonly [name: string]: OptionDecl | OptionTree;
}

/** Declare one option. Description and example are required so that the reference is complete. */
export function option<T extends z.ZodType>(spec: {
  type: T;
  default: z.output<T>;
  description: string;
  example: z.input<T>;
  readOnly?: boolean;
}): OptionDecl<T> {
  return { kind: "option", ...spec };
}

export function isOptionDecl(node: unknown): node is OptionDecl {
  return typeof node === "object" && node !== null && (node as { kind?: unknown }).kind === "option";
}

/** The evaluated value type of an option tree. */
export type ValueOf<T> = T extends OptionDecl<infer S>
  ? z.output<S>
  : { readonly [K in keyof T]: ValueOf<T[K]> };

/**
 * A definition wrapped with a priority (lower number wins): see
 * `mkDefault`, `mkForce` and `mkOverride` in generator/eval/priority.ts.
 */
export interface Override<T> {
  readonly kind: "override";
  readonly priority: number;
  readonly content: T;
}

/** What a module may write for an option tree: any subset of it, with input types, each part optionally wrapped in an override. */
export type DefinitionOf<T> = T extends OptionDecl<infer S>
  ? z.input<S> | Override<z.input<S>>
  : { [K in keyof T]?: DefinitionOf<T[K]> } | Override<{ [K in keyof T]?: DefinitionOf<T[K]> }>;
