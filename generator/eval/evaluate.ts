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
import { hashJson } from "../../store/hash.ts";
import { ExoError } from "../errors.ts";
import { collectModules } from "./collect.ts";
import { collectDeclarations, type Declaration, type Declarations, where } from "./declarations.ts";
import { check, refuseBadKeys, sourcesOf } from "./check.ts";
import { setOwn } from "./keys.ts";
import { PRIORITY } from "./markers.ts";
import { type Defined, isListType, mergeAndCheck } from "./merge.ts";
import type { Module } from "./module.ts";
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
  /** Priority of the definitions that won; PRIORITY.optionDefault when the default was used. */
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

export async function evaluateModules(roots: readonly Module[]): Promise<Evaluation> {
  const modules = await collectModules(roots);
  return new Evaluator(modules).run();
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

  constructor(private readonly modules: readonly Module[]) {
    this.declarations = collectDeclarations(modules);
    modules.forEach((module, i) => {
      this.position.set(module, i);
      if (typeof module.config === "function") this.functions.push(module);
      else if (module.config !== undefined) this.flatten(module, module.config);
    });
  }

  run(): Evaluation {
    this.settle();
    const config: Record<string, unknown> = {};
    for (const path of [...this.declarations.options.keys()].sort()) setPath(config, path.split("."), this.option(path));
    const frozen = deepFreeze(config) as Config;
    this.checkAssertions(frozen);
    const warnings = this.modules.flatMap((m) => (m.warnings ? m.warnings({ config: frozen }).map((w) => `${w} (${where(m)})`) : []));
    const files = [...new Set(this.modules.map((m) => m.file).filter((f) => f.startsWith("/")))].sort();
    return { config: frozen, hash: hashJson(frozen), options: new Map([...this.results].sort(([a], [b]) => (a < b ? -1 : 1))), warnings, files };
  }

  /** Index a module's definitions, each placed by its module's position; returns the options it defines. */
  private flatten(module: Module, tree: unknown): Set<string> {
    const defined = new Set<string>();
    const own: Site[] = [];
    const base = this.position.get(module)! * 2 ** 24;
    flattenDefinitions(module, tree, this.declarations, (site) => {
      const list = this.sites.get(site.path) ?? [];
      const placed: Site = { ...site, index: base + own.length };
      if (list.length > 0 && list[list.length - 1]!.index > placed.index) {
        list.splice(list.findIndex((s) => s.index > placed.index), 0, placed);
      } else list.push(placed);
      this.sites.set(site.path, list);
      own.push(placed);
      defined.add(site.path);
    });
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
      const stale = this.functions.map((m) => ({ m, changed: [...this.reads.get(m)!].find(([path, r]) => identity(this.option(path)) !== r.seen) })).filter((s) => s.changed);
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
      tree = (module.config as (args: { config: Config }) => unknown)({ config: this.proxy("") as Config });
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

  private noteRead(path: string, value: unknown): void {
    const reads = this.running && this.reads.get(this.running)!;
    if (reads && !reads.has(path)) reads.set(path, { chain: [...this.stack], seen: identity(value) });
  }

  /** The final value of one option, computed once. */
  option(path: string): unknown {
    const done = this.results.get(path);
    if (done) {
      this.noteRead(path, done.value);
      return done.value;
    }
    const cycleStart = this.stack.findIndex((f) => f.path === path);
    if (cycleStart >= 0) throw selfDependency(path, [...this.stack.slice(cycleStart), { path, at: "" }]);
    const declaration = this.declarations.options.get(path)!;
    const result = this.compute(declaration);
    this.results.set(path, result);
    this.noteRead(path, result.value);
    return result.value;
  }

  /**
   * modules.nix evalOptionValue and mergeDefinitions: the conditions of every definition are
   * tested (dischargeProperties), the option's default is one more definition at priority 1500
   * (mkOptionDefault), only the definitions of the highest priority are kept (filterOverrides)
   * and only theirs are forced, checked one by one, then merged by the option's type.
   */
  private compute({ path, decl, declaredIn }: Declaration): OptionResult {
    const sites = this.sites.get(path) ?? [];
    const config = () => this.proxy("") as Config;
    const on = sites.map((site) => site.conditions.every((c) => (typeof c === "function" ? this.within(path, site, () => c(config())) : c)));
    const active = sites.filter((_, i) => on[i]);
    if (decl.readOnly && active.length > 0) {
      throw new ExoError("ERR_EXO_OPTION_READ_ONLY", `option \`${path}\` is read-only, but is defined in ${active.map((s) => `${s.file}:${s.line}`).join(", ")}`);
    }
    let priority: number = PRIORITY.optionDefault;
    for (const site of active) if (site.priority < priority) priority = site.priority;
    const winners = active.filter((site) => site.priority === priority);
    if (isListType(decl.type)) winners.sort((a, b) => a.order - b.order || a.index - b.index);
    const forced = new Map<Site, unknown>();
    for (const site of winners) {
      const value = typeof site.value === "function" ? this.within(path, site, () => (site.value as (c: Config) => unknown)(config())) : site.value;
      refuseBadKeys(path, site, value);
      forced.set(site, value);
    }
    for (const site of active) if (!forced.has(site) && typeof site.value !== "function") refuseBadKeys(path, site, site.value);
    const definitions: Definition[] = sites.map((site, i) => {
      const value = forced.has(site) ? forced.get(site) : site.value;
      return { file: site.file, line: site.line, priority: site.priority, value: typeof value === "function" ? undefined : value, active: on[i]! };
    });
    const ofDefault = `its default, declared in ${declaredIn}`;
    if (winners.length === 0) {
      return { value: check(path, decl, decl.default, () => ofDefault, true), priority: PRIORITY.optionDefault, definitions, declaredIn, decl };
    }
    const defs: Defined[] = winners.map((site) => ({ value: forced.get(site), file: site.file, line: site.line }));
    // mkOptionDefault beside the default: both are definitions at priority 1500, the default first.
    if (priority === PRIORITY.optionDefault) defs.unshift({ value: decl.default, file: ofDefault, line: 0, isDefault: true });
    const ctx = {
      option: path,
      hint: `${decl.description} Example: ${JSON.stringify(decl.example)}`,
      test: (condition: (config: never) => boolean, d: Defined) => this.within(path, d, () => condition(config() as never)),
    };
    const value = mergeAndCheck(ctx, decl.type, defs, (merged) => check(path, decl, merged, (key) => sourcesOf(defs, key), false));
    return { value, priority, definitions, declaredIn, decl };
  }

  /** Run a lazy condition or value of `site`, with the stack showing where reads come from. */
  private within<T>(path: string, site: { readonly file: string; readonly line: number }, fn: () => T): T {
    this.stack.push({ path, at: `${site.file}:${site.line}` });
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
          const path = childPath(name);
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

  private checkAssertions(config: Config): void {
    const failed = this.modules.flatMap((m) => (m.assertions ? m.assertions({ config }).filter((a) => !a.assertion).map((a) => ({ a, m })) : []));
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

/** What a config function saw of an option: its canonical JSON. */
function identity(value: unknown): string {
  return hashJson(value);
}

/** Set `value` at a dotted option path; own properties only, so any name is a name. */
function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const name of path.slice(0, -1)) {
    if (!Object.hasOwn(node, name)) setOwn(node, name, {});
    node = node[name] as Record<string, unknown>;
  }
  setOwn(node, path[path.length - 1]!, value);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
