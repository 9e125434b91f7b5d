// An option is data: its zod type, default, description and example.
// Every option namespace in schemas/ is a tree of these; the evaluator,
// the TypeScript profile types and the option reference are all derived
// from the same trees.
import type { z } from "zod";

/** What a default computed from the configuration receives (NixOS: a default that reads `config`). */
export interface DefaultArgs {
  /** The configuration the option is part of: the whole system's, or a submodule element's. */
  readonly config: any;
  /** The element's name, for an option of a submodule in a map (`attrsOf submodule`); its index in a list. */
  readonly name: string;
}

export interface OptionDecl<T extends z.ZodType = z.ZodType> {
  readonly kind: "option";
  readonly type: T;
  /**
   * The value when no module defines the option (a definition at priority 1500), or a function
   * of the configuration that computes it. None: reading the option while no module defines it
   * is an error ("used but not defined").
   */
  readonly default?: z.output<T> | ((args: DefaultArgs) => z.output<T>);
  /** How the reference shows a computed default. */
  readonly defaultText?: string;
  readonly description: string;
  readonly example: z.input<T>;
  /** Set by the system itself; a profile may not define it. */
  readonly readOnly?: boolean;
  /** Applied to the merged value; the configuration holds its result (NixOS `apply`). */
  readonly apply?: (value: z.output<T>) => z.output<T>;
}

/** An old option path whose definitions and reads go to `to` (mkRenamedOptionModule, mkAliasOptionModule). */
export interface AliasDecl {
  readonly kind: "alias";
  readonly to: string;
  /** Warn where it is defined (a rename); an alias is silent. */
  readonly warn: boolean;
}

/** An option that no longer exists; defining it is an error that says what to do instead (mkRemovedOptionModule). */
export interface RemovedDecl {
  readonly kind: "removed";
  readonly message: string;
}

export interface OptionTree {
  readonly [name: string]: OptionDecl | AliasDecl | RemovedDecl | OptionTree;
}

/** Declare one option. Description and example are required so that the reference is complete. */
export function option<T extends z.ZodType>(spec: {
  type: T;
  default?: z.output<T> | ((args: DefaultArgs) => z.output<T>);
  defaultText?: string;
  description: string;
  example: z.input<T>;
  readOnly?: boolean;
  apply?: (value: z.output<T>) => z.output<T>;
}): OptionDecl<T> {
  return { kind: "option", ...spec };
}

export function isOptionDecl(node: unknown): node is OptionDecl {
  return typeof node === "object" && node !== null && (node as { kind?: unknown }).kind === "option";
}

export function isAliasDecl(node: unknown): node is AliasDecl {
  return typeof node === "object" && node !== null && (node as { kind?: unknown }).kind === "alias";
}

export function isRemovedDecl(node: unknown): node is RemovedDecl {
  return typeof node === "object" && node !== null && (node as { kind?: unknown }).kind === "removed";
}

/** The evaluated value type of an option tree. */
export type ValueOf<T> = T extends OptionDecl<infer S>
  ? z.output<S>
  : { readonly [K in keyof T as T[K] extends AliasDecl | RemovedDecl ? never : K]: ValueOf<T[K]> };

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
  : T extends RemovedDecl
    ? never
    : T extends AliasDecl
      ? unknown
      : Marked<{ [K in keyof T]?: DefinitionOf<T[K], C> }, C>;
