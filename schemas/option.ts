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

/*
 * Definition markers: plain data that the evaluator interprets in one place
 * (generator/eval). Built by mkOverride/mkDefault/mkForce, mkIf, mkMerge and
 * mkOrder/mkBefore/mkAfter in generator/eval/markers.ts.
 */

/** A definition with a priority: the lowest number wins. */
export interface Override<T> {
  readonly _type: "override";
  readonly priority: number;
  readonly content: T;
}

/** A definition that applies only when `condition` holds; a function condition reads the final config lazily. */
export interface Conditional<T, C = unknown> {
  readonly _type: "if";
  readonly condition: boolean | ((config: C) => boolean);
  readonly content: T;
}

/** Several definitions at one place. */
export interface Merged<T> {
  readonly _type: "merge";
  readonly contents: readonly T[];
}

/** A list definition with a place among the other definitions of the same list (mkBefore 500, default 1000, mkAfter 1500). */
export interface Ordered<T> {
  readonly _type: "order";
  readonly order: number;
  readonly content: T;
}

/** A value computed from the final configuration when the option is evaluated. */
export type Lazy<T, C> = (config: C) => T;

type Marked<T, C> = T | Override<Marked<T, C>> | Conditional<Marked<T, C>, C> | Merged<Marked<T, C>>;

/** What a module may define for an option tree: any subset of it, with input types, markers anywhere. */
export type DefinitionOf<T, C = unknown> = T extends OptionDecl<infer S>
  ? Marked<z.input<S> | Lazy<z.input<S>, C> | Ordered<z.input<S>>, C>
  : Marked<{ [K in keyof T]?: DefinitionOf<T[K], C> }, C>;
