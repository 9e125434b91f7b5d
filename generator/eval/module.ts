// Modules: the unit of configuration. A module imports other modules,
// declares options (trees from schemas/) and defines values for them.
// Each module remembers the file and line it was defined at, so that every
// error can name where a definition came from.
import { findSourceMap } from "node:module";
import { fileURLToPath } from "node:url";
import { sourcePath } from "../exo-root.ts";
import type { Config, ConfigDefinition, RootOptions } from "../../schemas/index.ts";
import type { AliasDecl, DefinitionOf, OptionDecl, OptionTree, RemovedDecl, ValueOf } from "../../schemas/option.ts";

/** A module, or the path of a profile/module file relative to the importing file. */
export type ModuleRef = Module | string;

/** What introspection tells of one option (NixOS `options.<path>`): read in a config function as `options.kernel.ipc.ringSlots.isDefined`. */
export interface OptionInfo<T = unknown> {
  /** Some definition is active, or the option has a default. */
  readonly isDefined: boolean;
  /** Priority of the winning definitions (100 plain, 50 mkForce, 1000 mkDefault, 1500 the default); 9999 when none. */
  readonly highestPrio: number;
  readonly value: T;
  /** file:line of every active definition, in module order. */
  readonly files: readonly string[];
  readonly declaredIn: string;
}

/** The options of a configuration, as a tree of OptionInfo. */
export type OptionsView = { readonly [name: string]: OptionsView | OptionInfo };

/** The introspection tree of an option tree: an OptionInfo of the option's value type at each option. */
export type OptionsInfoOf<T> = T extends OptionDecl
  ? OptionInfo<ValueOf<T>>
  : { readonly [K in keyof T as T[K] extends AliasDecl | RemovedDecl ? never : K]: OptionsInfoOf<T[K]> };

/*
 * Typed custom options. A module sees the base system's options (RootOptions)
 * and `X`: the options it declares and those of the modules it imports. When
 * X adds nothing to RootOptions (the base modules, plain profiles) the types
 * are the named Config and ConfigDefinition, computed once.
 */

/** Whether the option tree X adds nothing to the base system's. */
type AddsNothing<X> = RootOptions extends RootOptions & X ? true : false;

/** The final configuration a module with extra options X reads. */
export type ConfigOf<X> = AddsNothing<X> extends true ? Config : ValueOf<RootOptions & X>;

/** What a module with extra options X may define. */
export type DefinitionFor<X> = AddsNothing<X> extends true ? ConfigDefinition : DefinitionOf<RootOptions & X, ConfigOf<X>>;

/** Introspection of the options a module with extra options X reads. */
export type OptionsInfoFor<X> = OptionsInfoOf<AddsNothing<X> extends true ? RootOptions : RootOptions & X>;

/** The options that the modules of an `imports` list declare (and import): a path contributes no types. */
export type OptionsOf<I, Acc = {}> = I extends readonly [infer H, ...infer R] ? OptionsOf<R, Acc & (H extends Module<infer O> ? O : {})> : Acc;

/**
 * What a module's functions receive: the final configuration, and
 * introspection of every option (whether it is defined, the winning priority,
 * the files). Typed by what the module declares and imports in defineModule;
 * without type arguments, what the evaluator passes to any module.
 */
export interface ModuleArgs<C = Config, V = OptionsView> {
  readonly config: C;
  /** Introspection of every option: whether it is defined, the winning priority, the files. */
  readonly options: V;
}

export interface Assertion {
  readonly assertion: boolean;
  /** Names the options involved, e.g. "kernel.ipc.ringSlots must be ...". */
  readonly message: string;
  /**
   * The option paths whose values the assertion is about (a map entry may be
   * named, e.g. `packages.policies.web`): a failure names the file:line of the
   * user's definitions of them, not only the module that asserts.
   */
  readonly options?: readonly string[];
  /** What to do about it. */
  readonly hint?: string;
}

/** The fields of a module: D is what it may define, A what its functions receive. */
interface ModuleBody<D, A> {
  readonly imports?: readonly ModuleRef[];
  /**
   * Modules left out of the evaluation wherever they are imported, with what they import
   * (NixOS `disabledModules`): a module, or a file path relative to this module's file.
   */
  readonly disabledModules?: readonly ModuleRef[];
  /** Options this module declares: a tree of option(...) (schemas/option.ts). Modules and profiles that import this module get their types. */
  readonly options?: OptionTree;
  /**
   * Definitions, or a function of the final config that returns them. The
   * function is called once; a read of an option that the same module
   * defines is reported with the chain of options, so put such reads in a
   * lazy place instead: mkIf((config) => ..., ...) or `(config) => value`.
   */
  readonly config?: D | ((args: A) => D);
  /** Checked on the final config; any false assertion stops evaluation with its message. */
  readonly assertions?: (args: A) => readonly Assertion[];
  /** Messages printed on every evaluation of a config they apply to. */
  readonly warnings?: (args: A) => readonly string[];
}

/**
 * The extra options of a module that declares O and imports I. NoInfer: tsc
 * takes O from `options` and I from `imports` only, never from `config`.
 */
type Extra<O, I> = NoInfer<O> & OptionsOf<NoInfer<I>>;

/**
 * What defineModule and defineProfile take. O: the options it declares; I: its imports.
 * Its definitions and functions are typed by the base system's options, O, and the options of I.
 */
export interface ModuleSpec<O extends OptionTree = {}, I extends readonly ModuleRef[] = readonly ModuleRef[]>
  extends ModuleBody<DefinitionFor<Extra<O, I>>, ModuleArgs<ConfigOf<Extra<O, I>>, OptionsInfoFor<Extra<O, I>>>> {
  readonly imports?: I;
  readonly options?: O;
}

/** Types only: where a Module keeps the options it declares and imports. */
declare const declaredOptions: unique symbol;

/**
 * A module as the evaluator sees it. O (types only) holds the options it
 * declares and imports, so that modules and profiles importing it get typed
 * definitions; any Module<O> is a Module.
 */
export interface Module<O = {}> extends ModuleBody<ConfigDefinition, ModuleArgs> {
  readonly kind: "module";
  /** Absolute path of the file that defined the module. */
  readonly file: string;
  /** Line of the definition (1-based); 0 where unknown. */
  readonly line: number;
  /** Lines of individual definitions by option path, where the source format gives them (YAML). */
  readonly lines?: ReadonlyMap<string, number>;
  readonly [declaredOptions]?: O;
}

/**
 * A module: options it declares, definitions, imports. Its `config` may set
 * the base system's options, its own, and those of the modules it imports.
 */
export function defineModule<const O extends OptionTree = {}, const I extends readonly ModuleRef[] = []>(spec: ModuleSpec<O, I>): Module<O & OptionsOf<I>> {
  // The evaluator checks every definition against the declarations at run time; the types are for tsc and editors.
  return { kind: "module", ...spec, ...callSite() } as Module<O & OptionsOf<I>>;
}

/** A whole system: a module that is evaluated together with Exo's base modules. */
export const defineProfile = defineModule;

export function isModule(value: unknown): value is Module {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "module";
}

/** The file and line of the code that called defineModule/defineProfile, past any of `helpers` (files that make modules for their callers). */
export function callSite(helpers: readonly string[] = []): { file: string; line: number } {
  // The frames as V8 has them, unformatted: a formatted stack maps every frame through its
  // source map, which for a large system (thousands of defineModule calls) is most of the loading
  // time. Only the first frame that is not exo's is mapped, below. Compiled (dist/) or not, a
  // frame names the file that runs, as import.meta.filename and `helpers` do.
  const saved = { prepare: Error.prepareStackTrace, limit: Error.stackTraceLimit };
  const holder: { stack?: unknown } = {};
  let stack: unknown;
  try {
    Error.prepareStackTrace = (_error, frames) => frames;
    // This function, defineModule or a helper (and its callers in `helpers`' files), then the caller.
    Error.stackTraceLimit = 4 + helpers.length;
    Error.captureStackTrace(holder, callSite);
    // Read here: the stack is prepared when first read, by whatever prepareStackTrace is then.
    stack = holder.stack;
  } finally {
    Error.prepareStackTrace = saved.prepare;
    Error.stackTraceLimit = saved.limit;
  }
  const frames = Array.isArray(stack) ? (stack as NodeJS.CallSite[]) : [];
  const skipped = new Set([import.meta.filename, ...helpers]);
  for (const frame of frames) {
    const name = frame.getFileName();
    const line = frame.getLineNumber();
    if (!name || line === null) continue;
    const file = name.startsWith("file://") ? fileURLToPath(name) : name;
    if (!file.startsWith("/") || skipped.has(file)) continue;
    // Its place in the TypeScript source, where the file that runs was compiled with a source map (dist/, a user's .ts).
    const entry = findSourceMap(name)?.findEntry(line - 1, (frame.getColumnNumber() ?? 1) - 1);
    if (entry && "originalSource" in entry && entry.originalSource) {
      const source = entry.originalSource.startsWith("file://") ? fileURLToPath(entry.originalSource) : entry.originalSource;
      return { file: sourcePath(source), line: entry.originalLine + 1 };
    }
    return { file: sourcePath(file), line };
  }
  return { file: "<unknown>", line: 0 };
}
