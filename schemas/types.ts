// Option types beyond plain zod, as NixOS's lib/types.nix has them: each is
// a real zod schema (so values are checked and documented as any other),
// registered here with what the evaluator needs to merge it.
import { z } from "zod";
import { isAliasDecl, isOptionDecl, isRemovedDecl, type DefinitionOf, type OptionTree, type ValueOf } from "./option.ts";

/** What a submodule element's `config` function receives. */
export interface ElementArgs<T> {
  /** The element's name in its map; its index (as a string) in a list. */
  readonly name: string;
  /** The element's own evaluated options. */
  readonly config: ValueOf<T>;
}

export interface SubmoduleSpec<T extends OptionTree = OptionTree> {
  /** The options of every element; their defaults may be functions of `{ name, config }`. */
  readonly options: T;
  /** Definitions every element gets, as a module's (markers allowed), or a function of the element. */
  readonly config?: DefinitionOf<T> | ((args: ElementArgs<T>) => DefinitionOf<T>);
  /** The type of names an element may define beyond its options (RFC 42 `settings`); none: only its options. */
  readonly freeformType?: z.ZodType;
}

// Kept on the schema object under global symbols, not in a WeakMap: a profile loaded from outside the
// repository may reach another instance of this file (or of zod), and must still be understood.
const SUBMODULE = Symbol.for("exo.types.submodule");
const SEPARATOR = Symbol.for("exo.types.separator");
type Tagged = { [SUBMODULE]?: SubmoduleSpec; [SEPARATOR]?: string };

/**
 * types.submodule: a record with its own options. In a map (`z.record(name, submodule(...))`,
 * NixOS attrsOf submodule) or a list, each element is evaluated as a module system of its own:
 * the definitions of an element merge option by option, markers inside apply per option, and
 * options no definition sets take their defaults, which may be computed from the element's name.
 */
export function submodule<const T extends OptionTree>(spec: SubmoduleSpec<T>): z.ZodType<ValueOf<T>, DefinitionOf<T>> {
  const shape = shapeOf(spec.options);
  const schema = spec.freeformType ? z.object(shape).catchall(spec.freeformType) : z.strictObject(shape);
  (schema as Tagged)[SUBMODULE] = spec as SubmoduleSpec;
  return schema as unknown as z.ZodType<ValueOf<T>, DefinitionOf<T>>;
}

/** Every field optional: an element's definitions set some options, the evaluator supplies the rest. */
function shapeOf(tree: OptionTree): Record<string, z.ZodType> {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, node] of Object.entries(tree)) {
    // The description, default and example go into the JSON Schema that editors complete YAML profiles with.
    if (isOptionDecl(node)) shape[name] = node.type.optional().meta({ description: node.description, ...(node.default === undefined || typeof node.default === "function" ? {} : { default: node.default }), examples: [node.example] });
    else if (!isAliasDecl(node) && !isRemovedDecl(node)) shape[name] = z.strictObject(shapeOf(node)).optional();
  }
  return shape;
}

/** types.separatedString: strings of several definitions joined with `separator`, in mkBefore/mkAfter order. */
export function separatedString(separator: string): z.ZodString {
  const schema = z.string();
  (schema as Tagged)[SEPARATOR] = separator;
  return schema;
}

/** types.lines: definitions joined with newlines. */
export const lines = (): z.ZodString => separatedString("\n");
/** types.commas: definitions joined with commas. */
export const commas = (): z.ZodString => separatedString(",");

/** The submodule a (possibly wrapped) type is, if any. */
export function submoduleOf(type: z.ZodType | undefined): SubmoduleSpec | undefined {
  return (type as Tagged | undefined)?.[SUBMODULE];
}

/** The separator of a separated-string type, if it is one. */
export function separatorOf(type: z.ZodType | undefined): string | undefined {
  return (type as Tagged | undefined)?.[SEPARATOR];
}
