// Evaluate modules into a Config. Options are evaluated on demand and
// memoised, so definitions may read the final config (a lazy fixpoint, as
// in NixOS): a condition or value that is a function of config is called
// only when its option is needed, and only if its definition wins on
// priority. Every module's definitions are collected before any option is
// evaluated, so the order of imports never changes the result. A value
// that depends on itself is reported as the chain of options that leads
// back to it.
import type { Config } from "../../schemas/index.ts";
import type { OptionDecl } from "../../schemas/option.ts";
import type { SubmoduleSpec } from "../../schemas/types.ts";
import { hashJson } from "../../store/hash.ts";
import { ExoError, ExoErrors } from "../errors.ts";
import { collectModules } from "./collect.ts";
import { collectDeclarations, type Declaration, type Declarations, where } from "./declarations.ts";
import { check, refuseBadKeys, sourcesOf } from "./check.ts";
import { setOwn } from "./keys.ts";
import { PRIORITY } from "./markers.ts";
import { type Defined, isOrderedType, mergeAndCheck, mergeDefinitions } from "./merge.ts";
import type { Module, OptionInfo, OptionsView } from "./module.ts";
import { flattenDefinitions, type Site } from "./sites.ts";

export interface Definition {
  readonly file: string;
  readonly line: number;
  readonly priority: number;
  /** The value as defined; `undefined` for a lazy value that was never called (its condition was false, or it lost on priority). */
  readonly value: unknown;
  /** False when a condition (mkIf) of the definition was false. */
  readonly active: boolean;
}

export interface OptionResult {
  readonly value: unknown;
  /** Priority of the definitions that won; PRIORITY.optionDefault when the default was used; NO_PRIORITY when nothing defines it. */
  readonly priority: number;
  readonly definitions: readonly Definition[];
  readonly declaredIn: string;
  readonly decl: OptionDecl;
}

export interface Evaluation {
  readonly config: Config;
  /** sha256 of the canonical JSON of the config. */
  readonly hash: string;
  /** Every option by dotted path, sorted. */
  readonly options: ReadonlyMap<string, OptionResult>;
  readonly warnings: readonly string[];
  /** Absolute paths of every module file evaluated (profiles, YAML imports), sorted. */
  readonly files: readonly string[];
}

/** The priority of an option that nothing defines and that has no default (NixOS highestPrio 9999). */
export const NO_PRIORITY = 9999;

export async function evaluateModules(roots: readonly Module[]): Promise<Evaluation> {
  const modules = await collectModules(roots);
  return new Evaluator(modules, { parts: [], name: "", warnings: [] }).run();
}

/** Where an evaluation sits: the whole system, or one element of a submodule option. */
interface Scope {
  /** The path of the element's options (empty for the system). */
  readonly parts: readonly string[];
  /** The element's name, given to defaults and the submodule's config function. */
  readonly name: string;
  /** Shared by every element of one evaluation. */
  readonly warnings: string[];
  /** A submodule's freeformType: names below `parts` that no option declares. */
  readonly freeform?: SubmoduleSpec["freeformType"];
  /** The system's configuration, which lazy conditions and values inside an element's definitions receive. */
  readonly system?: () => Config;
}

/** One step of the evaluation stack: an option, and what was being computed when it was read. */
interface Frame {
  readonly path: string;
  /** file:line of the definition (or module) that read the next option. */
  readonly at: string;
}

class Evaluator {
  private readonly declarations: Declarations;
  private readonly sites = new Map<string, Site[]>();
  /** Modules whose config is a function of the config, in module order. */
  private readonly functions: Module[] = [];
  private readonly position = new Map<Module, number>();
  private readonly ownSites = new Map<Module, Site[]>();
  /** The module whose config function is running, if any. */
  private running: Module | undefined;
  /** Options each config function read, with the chain that led there and the value it saw. */
  private readonly reads = new Map<Module, Map<string, { readonly chain: readonly Frame[]; readonly seen: string }>>();
  private readonly results = new Map<string, OptionResult>();
  private readonly stack: Frame[] = [];
  private readonly proxies = new Map<string, object>();

  private readonly prefix: string;
  /** Independent user errors found so far (ExoErrors reports them together). */
  private readonly errors: ExoError[] = [];

  constructor(
    private readonly modules: readonly Module[],
    private readonly scope: Scope,
  ) {
    this.prefix = scope.parts.join(".");
    this.declarations = collectDeclarations(modules, scope.parts);
    modules.forEach((module, i) => {
      this.position.set(module, i);
      if (typeof module.config === "function") this.functions.push(module);
      else if (module.config !== undefined) this.flatten(module, module.config, (e) => this.fail(e));
    });
  }

  run(): Evaluation {
    try {
      this.settle();
    } catch (e) {
      this.fail(e);
      this.stopOnErrors();
    }
    const config: Record<string, unknown> = {};
    for (const path of [...this.declarations.options.keys()].sort()) {
      try {
        setPath(config, path.split("."), this.option(path));
      } catch (e) {
        this.fail(e);
      }
    }
    this.stopOnErrors();
    const frozen = deepFreeze(config) as Config;
    const options = this.optionsView("") as OptionsView;
    this.checkAssertions(frozen, options);
    const warnings = [...this.scope.warnings, ...this.modules.flatMap((m) => (m.warnings ? m.warnings({ config: frozen, options }).map((w) => `${w} (${where(m)})`) : []))];
    const files = [...new Set(this.modules.map((m) => m.file).filter((f) => f.startsWith("/")))].sort();
    return { config: frozen, hash: hashJson(frozen), options: new Map([...this.results].sort(([a], [b]) => (a < b ? -1 : 1))), warnings, files };
  }

  /** A submodule element: its options' values (and freeform names) as one record. */
  element(): Record<string, unknown> {
    this.stopOnErrors();
    this.settle();
    const out: Record<string, unknown> = Object.create(null);
    const below = (path: string) => path.slice(this.prefix.length + 1).split(".");
    for (const path of [...this.declarations.options.keys()].sort()) setPath(out, below(path), this.option(path));
    for (const [path, sites] of [...this.sites].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (!sites[0]!.freeform) continue;
      const declaration = { path, decl: { kind: "option", type: this.scope.freeform!, description: "A name of the element's freeformType.", example: null }, declaredIn: "the submodule's freeformType" } as const;
      const result = this.compute(declaration);
      if (result.priority !== NO_PRIORITY) setOwn(out, below(path)[0]!, result.value);
    }
    return out;
  }

  /** Index a module's definitions, each placed by its module's position; returns the options it defines. With `fail`, a wrong key is reported there and the others are kept. */
  private flatten(module: Module, tree: unknown, fail?: (error: unknown) => void): Set<string> {
    const defined = new Set<string>();
    const own: Site[] = [];
    const base = this.position.get(module)! * 2 ** 24;
    flattenDefinitions(module, tree, this.declarations, (site) => {
      const list = this.sites.get(site.path) ?? [];
      const placed = site as { index: number } & Omit<Site, "index">;
      placed.index = base + own.length;
      if (list.length > 0 && list[list.length - 1]!.index > placed.index) {
        list.splice(list.findIndex((s) => s.index > placed.index), 0, placed);
      } else list.push(placed);
      this.sites.set(site.path, list);
      own.push(placed);
      defined.add(site.path);
    }, { warn: (message) => this.warn(message), freeformAt: this.scope.freeform ? this.prefix : undefined, fail });
    this.ownSites.set(module, own);
    return defined;
  }

  /**
   * Call every config function, so that all modules' definitions are in before any option is
   * evaluated, as NixOS collects them all first, whatever the order of imports. A function may
   * have read an option that a later one defines: each runs again while an option it read has
   * changed since, until none has (a config function is strict where NixOS is lazy, so this is
   * how its definitions come to be those of the final config).
   */
  private settle(): void {
    // A function that fails while others have yet to run (reading what they define, or an option
    // whose conflict they resolve) is called again after them; it fails for good when none ran since.
    let queue = this.functions;
    while (queue.length > 0) {
      const failed: Module[] = [];
      let error: unknown;
      for (const module of queue) {
        try {
          this.runConfig(module);
        } catch (e) {
          failed.push(module);
          error ??= e;
        }
      }
      if (failed.length === queue.length) throw error;
      queue = failed;
    }
    for (let round = 0; ; round++) {
      this.results.clear();
      const stale = this.functions.map((m) => ({ m, changed: [...this.reads.get(m)!].find(([path, r]) => identity(this.result(path)) !== r.seen) })).filter((s) => s.changed);
      if (stale.length === 0) return;
      if (round > this.functions.length) {
        const { m, changed } = stale[0]!;
        const [path, read] = changed!;
        throw selfDependency(path, [...read.chain, { path, at: where(m) }], `module ${where(m)} reads it, and its value keeps changing with the definitions it leads to`);
      }
      for (const { m } of stale) this.runConfig(m);
    }
  }

  /** Call one module's config function (again), replacing its definitions. */
  private runConfig(module: Module): void {
    for (const site of this.ownSites.get(module) ?? []) {
      const list = this.sites.get(site.path)!;
      list.splice(list.indexOf(site), 1);
    }
    this.results.clear();
    const reads = new Map<string, { chain: readonly Frame[]; seen: string }>();
    this.reads.set(module, reads);
    this.running = module;
    let tree: unknown;
    try {
      tree = (module.config as (args: { config: Config; options: unknown }) => unknown)({ config: this.proxy("") as Config, options: this.optionsView("") });
    } finally {
      this.running = undefined;
    }
    const defined = this.flatten(module, tree);
    this.results.clear();
    // Options read while this module ran were computed without its definitions: if it defines
    // one of them, that value depended on itself.
    for (const [path, read] of reads) {
      if (defined.has(path)) {
        throw selfDependency(path, [...read.chain, { path, at: where(module) }], `module ${where(module)} reads it while computing its own definitions`);
      }
    }
  }

  private noteRead(path: string, result: OptionResult): void {
    const reads = this.running && this.reads.get(this.running)!;
    if (reads && !reads.has(path)) reads.set(path, { chain: [...this.stack], seen: identity(result) });
  }

  /** The final value of one option, computed once; an option nothing defines and without a default cannot be read. */
  option(path: string): unknown {
    const result = this.result(path);
    // An option whose type allows nothing (`.optional()`) may stay undefined.
    if (result.priority === NO_PRIORITY && !result.decl.type.safeParse(undefined).success) {
      const reader = this.stack.at(-1)?.at ?? (this.running ? `module ${where(this.running)}` : "the configuration being built");
      throw new ExoError(
        "ERR_EXO_OPTION_UNDEFINED",
        `option \`${path}\` is used but not defined: it has no default and no module defines it (read by ${reader})`,
        `define \`${path}\` in your profile; it is declared in ${result.declaredIn}: ${result.decl.description}`,
      );
    }
    return result.value;
  }

  /** One option's result, computed once, with the read noted for the config function that is running. */
  private result(path: string): OptionResult {
    let result = this.results.get(path);
    if (!result) {
      const cycleStart = this.stack.findIndex((f) => f.path === path);
      if (cycleStart >= 0) throw selfDependency(path, [...this.stack.slice(cycleStart), { path, at: "" }]);
      result = this.compute(this.declarations.options.get(path)!);
      this.results.set(path, result);
    }
    this.noteRead(path, result);
    return result;
  }

  /** A user error found while the evaluation goes on: kept (once) to be reported with the others; anything else is thrown. */
  private fail(error: unknown): void {
    if (!(error instanceof ExoError)) throw error;
    const seen = (e: ExoError) => e.code === error.code && e.message === error.message;
    if (!this.errors.some(seen)) this.errors.push(error);
  }

  /** Throw the errors found so far, all together. */
  private stopOnErrors(): void {
    if (this.errors.length > 0) throw ExoErrors.of(this.errors);
  }

  private warn(message: string): void {
    if (!this.scope.warnings.includes(message)) this.scope.warnings.push(message);
  }

  /** The config lazy conditions and values receive: the system's, also inside a submodule element. */
  private lazyConfig(): Config {
    return this.scope.system ? this.scope.system() : (this.proxy("") as Config);
  }

  /**
   * modules.nix evalOptionValue and mergeDefinitions: the conditions of every definition are
   * tested (dischargeProperties), the option's default is one more definition at priority 1500
   * (mkOptionDefault), only the definitions of the highest priority are kept (filterOverrides)
   * and only theirs are forced, checked one by one, then merged by the option's type.
   */
  private compute({ path, decl, declaredIn }: Declaration): OptionResult {
    const sites = this.sites.get(path) ?? [];
    const config = () => this.lazyConfig();
    // One pass: test each definition's conditions, and keep those of the highest priority so far.
    const definitions: Definition[] = [];
    let priority: number = PRIORITY.optionDefault;
    let winners: Site[] = [];
    let readOnlyDefined = false;
    for (const site of sites) {
      let on = true;
      for (const c of site.conditions) {
        if (!(typeof c === "function" ? this.within(path, site, () => c(config())) : c)) {
          on = false;
          break;
        }
      }
      definitions.push({ file: site.file, line: site.line, priority: site.priority, value: typeof site.value === "function" ? undefined : site.value, active: on });
      if (!on) continue;
      readOnlyDefined ||= decl.readOnly === true;
      if (typeof site.value !== "function") refuseBadKeys(path, site, site.value);
      if (site.priority < priority) {
        priority = site.priority;
        winners = [site];
      } else if (site.priority === priority) winners.push(site);
    }
    if (readOnlyDefined) {
      throw new ExoError("ERR_EXO_OPTION_READ_ONLY", `option \`${path}\` is read-only, but is defined in ${definitions.filter((d) => d.active).map((d) => `${d.file}:${d.line}`).join(", ")}`);
    }
    if (winners.length > 1 && isOrderedType(decl.type)) winners.sort((a, b) => a.order - b.order || a.index - b.index);
    const ofDefault = `its default, declared in ${declaredIn}`;
    // The default is one more definition at priority 1500 (mkOptionDefault), the first of them; computed only when it takes part.
    const defs: Defined[] = priority === PRIORITY.optionDefault && decl.default !== undefined ? [{ value: this.defaultOf(path, decl, declaredIn), file: ofDefault, line: 0, isDefault: true }] : [];
    for (const site of winners) {
      // Only the winners' lazy values are called (filterOverrides: losers are never forced).
      if (typeof site.value !== "function") {
        defs.push({ value: site.value, file: site.file, line: site.line, lines: site.lines });
        continue;
      }
      const value = this.within(path, site, () => (site.value as (c: Config) => unknown)(config()));
      refuseBadKeys(path, site, value);
      definitions[sites.indexOf(site)] = { ...definitions[sites.indexOf(site)]!, value };
      defs.push({ value, file: site.file, line: site.line, lines: site.lines });
    }
    if (defs.length === 0) return { value: undefined, priority: NO_PRIORITY, definitions, declaredIn, decl };
    const ctx = {
      option: path,
      get hint() {
        return `${decl.description} Example: ${JSON.stringify(decl.example)}`;
      },
      test: (condition: (config: never) => boolean, d: Defined) => this.within(path, d, () => condition(config() as never)),
      submodule: (spec: SubmoduleSpec, elementDefs: readonly Defined[], inner: readonly string[]) => this.withFrame({ path, at: declaredIn }, () => this.evaluateElement(path, spec, elementDefs, inner)),
      warn: (message: string) => this.warn(message),
    };
    const sources = (key?: string) => (winners.length ? sourcesOf(defs.filter((d) => !d.isDefault), key) : ofDefault);
    const merged = mergeAndCheck(ctx, decl.type, defs, (value) => check(path, decl, value, sources, winners.length === 0));
    const value = decl.apply ? decl.apply(merged) : merged;
    return { value, priority, definitions, declaredIn, decl };
  }

  /** The option's default: its value, or what its function computes from the configuration (and the element's name). */
  private defaultOf(path: string, decl: OptionDecl, declaredIn: string): unknown {
    if (typeof decl.default !== "function") return decl.default;
    const compute = decl.default as (args: { config: unknown; name: string }) => unknown;
    return this.withFrame({ path, at: `the default declared in ${declaredIn}` }, () => compute({ config: this.proxy(this.prefix), name: this.scope.name }));
  }

  /**
   * One element of a submodule option, as NixOS evaluates it: a module system of its own whose modules are the
   * submodule's declaration and each definition of the element, placed below the element's path so that every
   * message names the whole path (`services.sites.web.port`).
   */
  private evaluateElement(path: string, spec: SubmoduleSpec, defs: readonly Defined[], inner: readonly string[]): unknown {
    const parts = [...path.split("."), ...inner];
    const name = inner.at(-1) ?? parts.at(-1)!;
    const [file, line] = splitSite(defs.find((d) => d.isDefault)?.file.replace(/^its default, declared in /, "") ?? this.declarations.options.get(path)!.declaredIn);
    const nest = (value: unknown): unknown =>
      parts.reduceRight<unknown>((inside, key) => {
        const node = Object.create(null) as Record<string, unknown>;
        setOwn(node, key, inside);
        return node;
      }, value);
    const below = (config: unknown): unknown => parts.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], config);
    const declaration: Module = {
      kind: "module",
      file,
      line,
      lines: new Map(),
      options: spec.options,
      config: typeof spec.config === "function"
        ? ({ config }) => nest((spec.config as (args: { name: string; config: unknown }) => unknown)({ name, config: below(config) })) as never
        : (nest(spec.config ?? {}) as never),
    };
    const definitions = defs.filter((d) => !d.isDefault || Object.keys(d.value as object).length > 0).map((d): Module => ({ kind: "module", file: d.file, line: d.line, lines: d.lines ?? new Map(), config: nest(d.value) as never }));
    const system = this.scope.system ?? (() => this.proxy("") as Config);
    return new Evaluator([declaration, ...definitions], { parts, name, warnings: this.scope.warnings, freeform: spec.freeformType, system }).element();
  }

  /** Run a lazy condition or value of `site`, with the stack showing where reads come from. */
  private within<T>(path: string, site: { readonly file: string; readonly line: number }, fn: () => T): T {
    return this.withFrame({ path, at: `${site.file}:${site.line}` }, fn);
  }

  private withFrame<T>(frame: Frame, fn: () => T): T {
    this.stack.push(frame);
    try {
      return fn();
    } finally {
      this.stack.pop();
    }
  }

  /** The config as seen from modules: namespaces are objects, options evaluate when read. */
  private proxy(prefix: string): object {
    const cached = this.proxies.get(prefix);
    if (cached) return cached;
    const children = this.declarations.namespaces.get(prefix) ?? [];
    const childPath = (name: string) => (prefix ? `${prefix}.${name}` : name);
    const proxy: object = new Proxy(
      {},
      {
        get: (_target, name) => {
          if (typeof name !== "string") return undefined;
          const path = this.resolveMoved(childPath(name));
          if (this.declarations.options.has(path)) return this.option(path);
          if (this.declarations.namespaces.has(path)) return this.proxy(path);
          if (name === "then" || name === "toJSON") return undefined;
          const reader = this.stack.at(-1)?.at ?? (this.running ? where(this.running) : "a module");
          throw new ExoError("ERR_EXO_OPTION_UNKNOWN", `${reader}: reads option \`${path}\`, which does not exist`, "`exo options` lists every option");
        },
        has: (_target, name) => typeof name === "string" && children.includes(name),
        ownKeys: () => [...children],
        getOwnPropertyDescriptor: (_target, name): PropertyDescriptor | undefined =>
          typeof name === "string" && children.includes(name) ? { enumerable: true, configurable: true, value: (proxy as Record<string, unknown>)[name] } : undefined,
        set: () => {
          throw new ExoError("ERR_EXO_OPTION_READ_ONLY", `the config a module reads is read-only; define \`${prefix || "options"}\` in the module's config instead`);
        },
      },
    );
    this.proxies.set(prefix, proxy);
    return proxy;
  }

  /** A renamed or aliased path read in config is its new path; a removed one cannot be read. */
  private resolveMoved(path: string): string {
    const moved = this.declarations.moved.get(path);
    if (!moved) return path;
    if (moved.kind === "removed") {
      const reader = this.stack.at(-1)?.at ?? (this.running ? where(this.running) : "a module");
      throw new ExoError("ERR_EXO_OPTION_REMOVED", `${reader}: reads option \`${path}\`, which has been removed (${moved.declaredIn})`, moved.message);
    }
    return this.resolveMoved(moved.to);
  }

  /** NixOS `options`: for each option, whether it is defined, its winning priority, value and files; reading one is a read of the option. */
  private optionsView(prefix: string): object {
    const children = this.declarations.namespaces.get(prefix) ?? [];
    return new Proxy(
      {},
      {
        get: (_target, name) => {
          if (typeof name !== "string") return undefined;
          const path = this.resolveMoved(prefix ? `${prefix}.${name}` : name);
          if (this.declarations.namespaces.has(path)) return this.optionsView(path);
          if (!this.declarations.options.has(path)) return undefined;
          const result = () => this.result(path);
          const info: OptionInfo = {
            get isDefined() {
              return result().priority !== NO_PRIORITY;
            },
            get highestPrio() {
              return result().priority;
            },
            value: undefined,
            get files() {
              return result().definitions.filter((d) => d.active).map((d) => `${d.file}:${d.line}`);
            },
            declaredIn: this.declarations.options.get(path)!.declaredIn,
          };
          const option = () => this.option(path);
          return Object.defineProperty(info, "value", { get: option, enumerable: true });
        },
        has: (_target, name) => typeof name === "string" && children.includes(name),
        ownKeys: () => [...children],
        getOwnPropertyDescriptor: (_target, name): PropertyDescriptor | undefined => (typeof name === "string" && children.includes(name) ? { enumerable: true, configurable: true } : undefined),
      },
    );
  }

  private checkAssertions(config: Config, options: OptionsView): void {
    const failed = this.modules.flatMap((m) => (m.assertions ? m.assertions({ config, options }).filter((a) => !a.assertion).map((a) => ({ a, m })) : []));
    if (!failed.length) return;
    const lines = failed.map(({ a, m }) => {
      const sites = (a.options ?? []).flatMap((path) => this.definitionSites(path));
      return `  - ${a.message} (${sites.length ? `defined at ${[...new Set(sites)].join(", ")}; ` : ""}asserted by ${where(m)})`;
    });
    const hints = [...new Set(failed.flatMap(({ a }) => (a.hint ? [a.hint] : [])))];
    throw new ExoError("ERR_EXO_ASSERTION", `${failed.length === 1 ? "an assertion" : `${failed.length} assertions`} failed:\n${lines.join("\n")}`, hints.length ? hints.join("; ") : undefined);
  }

  /** file:line of the winning definitions of `path`: an option, or an entry of a map option below it; "the default" when none. */
  private definitionSites(path: string): string[] {
    const parts = path.split(".");
    for (let n = parts.length; n > 0; n--) {
      const option = parts.slice(0, n).join(".");
      const result = this.results.get(option);
      if (!result) continue;
      const key = parts[n];
      const winners = result.definitions.filter((d) => d.active && d.priority === result.priority);
      const defining = key === undefined ? winners : winners.filter((d) => d.value !== null && typeof d.value === "object" && Object.hasOwn(d.value, key));
      return defining.length ? defining.map((d) => `${d.file}:${d.line}`) : [`the default of ${option}`];
    }
    return [];
  }
}

function selfDependency(path: string, chain: readonly Frame[], why?: string): ExoError {
  const steps = chain.map((f, i) => `  ${i === 0 ? "  " : "→ "}\`${f.path}\`${f.at ? ` (read by ${f.at})` : ""}`);
  return new ExoError(
    "ERR_EXO_OPTION_RECURSION",
    `the value of option \`${path}\` depends on itself${why ? `: ${why}` : ""}:\n${steps.join("\n")}`,
    "break the chain: one of these definitions must not read the next option; a read inside mkIf((config) => ...) or a value `(config) => ...` is evaluated only when needed",
  );
}

/** "file:line" into its parts; a line of 0 where there is none. */
function splitSite(site: string): [string, number] {
  const match = /^(.*):(\d+)$/.exec(site);
  return match ? [match[1]!, Number(match[2])] : [site, 0];
}

/** What a config function saw of an option: its priority (options.x.highestPrio) and value. */
function identity(result: OptionResult): string {
  return `${result.priority}:${result.value === undefined ? "" : hashJson(result.value)}`;
}

/** Set `value` at a dotted option path; own properties only, so any name is a name. An undefined value leaves the name out (the namespace stays). */
function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const name of path.slice(0, -1)) {
    if (!Object.hasOwn(node, name)) setOwn(node, name, {});
    node = node[name] as Record<string, unknown>;
  }
  if (value !== undefined) setOwn(node, path[path.length - 1]!, value);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
