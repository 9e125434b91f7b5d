// Flatten a module's definition tree into definition sites: one per option
// a module defines, carrying its priority, list order, conditions and the
// place it was written. This is the one place markers are interpreted.
import type { Config } from "../../schemas/index.ts";
import { ExoError } from "../errors.ts";
import type { Declarations } from "./declarations.ts";
import { hasReplacedPrototype } from "./keys.ts";
import { keyLine } from "./lines.ts";
import { markerKind, ORDER, PRIORITY } from "./markers.ts";
import { isOrderedType } from "./merge.ts";
import type { Module } from "./module.ts";
import { displayPath } from "./paths.ts";
import { didYouMean, suggestPath } from "./suggest.ts";

export type ConditionTest = boolean | ((config: Config) => boolean);

export interface Site {
  readonly path: string;
  readonly file: string;
  readonly line: number;
  readonly priority: number;
  readonly order: number;
  readonly conditions: readonly ConditionTest[];
  /** The value as written; a function is lazy and receives the final config. */
  readonly value: unknown;
  /** Position among all sites, for a stable order of list elements. */
  readonly index: number;
  /** A name the options do not declare, taken by a submodule's freeformType. */
  readonly freeform?: boolean;
  /** The lines of the module's definitions by path, where its format gives them (YAML): for the keys inside a submodule element. */
  readonly lines?: ReadonlyMap<string, number>;
}

export interface FlattenOptions {
  /** A message printed with the evaluation's warnings (a renamed option, an order that does not apply). */
  readonly warn: (message: string) => void;
  /** Names below this path that no option declares are freeform definitions (submodule freeformType). */
  readonly freeformAt?: string;
  /** Given: an error in one key's definitions is passed here and the walk goes on with the next key, so that one run reports them all. */
  readonly fail?: (error: unknown) => void;
}

interface Context {
  readonly priority: number;
  readonly order: number;
  readonly conditions: readonly ConditionTest[];
  /** The line of a definition written at a renamed path, which is where the walk goes on. */
  readonly line?: number;
}

export function flattenDefinitions(module: Module, tree: unknown, declarations: Declarations, emit: (site: Omit<Site, "index">) => void, options: FlattenOptions): void {
  const file = displayPath(module.file);
  // Where a definition is written: a renamed path's walk keeps the line of the old path.
  const lineAt = (path: string[], ctx: Context): number => ctx.line ?? module.lines?.get(path.join(".")) ?? (module.lines ? module.line : keyLine(module.file, module.line, path));

  const walk = (value: unknown, path: string[], ctx: Context): void => {
    const key = path.join(".");
    const moved = declarations.moved.size > 0 ? declarations.moved.get(key) : undefined;
    if (moved) {
      const at = `${file}:${lineAt(path, ctx)}`;
      if (moved.kind === "removed") {
        throw new ExoError("ERR_EXO_OPTION_REMOVED", `${at}: option \`${key}\` can no longer be used, since it has been removed (${moved.declaredIn})`, moved.message);
      }
      if (moved.warn) options.warn(`${at}: option \`${key}\` has been renamed to \`${moved.to}\`; define \`${moved.to}\` instead`);
      return walk(value, moved.to.split("."), { ...ctx, line: lineAt(path, ctx) });
    }
    switch (markerKind(value)) {
      case "override": {
        const v = value as { priority: number; content: unknown };
        return walk(v.content, path, { ...ctx, priority: v.priority });
      }
      case "if": {
        const v = value as { condition: ConditionTest; content: unknown };
        return walk(v.content, path, { ...ctx, conditions: [...ctx.conditions, v.condition] });
      }
      case "merge":
        for (const part of (value as { contents: readonly unknown[] }).contents) walk(part, path, ctx);
        return;
      case "order": {
        const decl = declarations.options.get(key);
        if (!decl) throw new ExoError("ERR_EXO_OPTION_TYPE", `${file}:${lineAt(path, ctx)}: mkOrder, mkBefore and mkAfter apply to list options, and \`${key || "config"}\` is a set of options`);
        const v = value as { order: number; content: unknown };
        // As in NixOS, where an order is a property only list merges look at: elsewhere it changes nothing.
        if (!isOrderedType(decl.decl.type)) options.warn(`${file}:${lineAt(path, ctx)}: mkOrder, mkBefore and mkAfter have no effect on option \`${key}\`, which is not a list or a separated string`);
        return walk(v.content, path, { ...ctx, order: v.order });
      }
    }
    if (declarations.options.has(key)) {
      emit({ path: key, file, line: lineAt(path, ctx), priority: ctx.priority, order: ctx.order, conditions: ctx.conditions, value, lines: module.lines });
      return;
    }
    const children = declarations.namespaces.get(key);
    if (!children && options.freeformAt !== undefined && path.slice(0, -1).join(".") === options.freeformAt) {
      emit({ path: key, file, line: lineAt(path, ctx), priority: ctx.priority, order: ctx.order, conditions: ctx.conditions, value, freeform: true });
      return;
    }
    if (!children) throw unknownOption(file, lineAt(path, ctx), key, path, declarations);
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      const hint = typeof value === "function"
        ? "a function of config can give one option's value; to make a set of definitions depend on config, use mkIf((config) => ..., { ... })"
        : `set the options inside it, e.g. \`${key ? `${key}.` : ""}${children[0]}\``;
      throw new ExoError("ERR_EXO_OPTION_TYPE", `${file}:${lineAt(path, ctx)}: \`${key || "config"}\` is a set of options, not a value; got ${describeValue(value)}`, hint);
    }
    // `{ __proto__: {...} }` replaced the prototype: the definitions under it would be lost without a word.
    if (hasReplacedPrototype(value)) throw unknownOption(file, lineAt(path, ctx), key ? `${key}.__proto__` : "__proto__", [...path, "__proto__"], declarations);
    for (const [name, child] of Object.entries(value)) {
      if (!options.fail) walk(child, [...path, name], ctx);
      else {
        try {
          walk(child, [...path, name], ctx);
        } catch (e) {
          options.fail(e);
        }
      }
    }
  };

  walk(tree, [], { priority: PRIORITY.plain, order: ORDER.default, conditions: [] });
}

function unknownOption(file: string, line: number, key: string, path: string[], declarations: Declarations): ExoError {
  // Names beside it first (`ringSlot` → `ringSlots`), else the same name elsewhere (`kernel.ringSlots` → `kernel.ipc.ringSlots`).
  const guesses = suggestPath(path, (prefix) => declarations.namespaces.get(prefix), [...declarations.options.keys(), ...declarations.namespaces.keys()]);
  return new ExoError("ERR_EXO_OPTION_UNKNOWN", `${file}:${line}: option \`${key}\` does not exist`, didYouMean(guesses, "`exo options` lists every option"));
}

export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "function") return "a function";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
