// Evaluate modules into a Config. Options are evaluated on demand and
// memoised, so definitions may read the final config (a lazy fixpoint, as
// in NixOS): a condition or value that is a function of config is called
// only when its option is needed. A value that depends on itself is
// reported as the chain of options that leads back to it.
import type { Config } from "../../schemas/index.ts";
import type { OptionDecl } from "../../schemas/option.ts";
import { hashJson } from "../../store/hash.ts";
import { ExoError } from "../errors.ts";
import { collectModules } from "./collect.ts";
import { collectDeclarations, type Declaration, type Declarations, where } from "./declarations.ts";
import { check, refuseBadKeys, sourcesOf } from "./check.ts";
import { setOwn } from "./keys.ts";
import { PRIORITY } from "./markers.ts";
import { isListType, mergeDefinitions } from "./merge.ts";
import type { Module } from "./module.ts";
import { flattenDefinitions, type Site } from "./sites.ts";

export interface Definition {
  readonly file: string;
  readonly line: number;
  readonly priority: number;
  /** The value as defined; `undefined` for a lazy value whose condition was false. */
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
  private siteCount = 0;
  private readonly pending: Module[] = [];
  private readonly running: Module[] = [];
  /** Options computed while a module's config function was running, with the chain that led there. */
  private readonly readDuring = new Map<Module, Map<string, readonly Frame[]>>();
  private readonly results = new Map<string, OptionResult>();
  private readonly stack: Frame[] = [];
  private readonly proxies = new Map<string, object>();

  constructor(private readonly modules: readonly Module[]) {
    this.declarations = collectDeclarations(modules);
    for (const module of modules) {
      if (typeof module.config === "function") this.pending.push(module);
      else if (module.config !== undefined) this.flatten(module, module.config);
    }
  }

  run(): Evaluation {
    this.runPendingModules();
    const config: Record<string, unknown> = {};
    for (const path of [...this.declarations.options.keys()].sort()) setPath(config, path.split("."), this.option(path));
    const frozen = deepFreeze(config) as Config;
    this.checkAssertions(frozen);
    const warnings = this.modules.flatMap((m) => (m.warnings ? m.warnings({ config: frozen }).map((w) => `${w} (${where(m)})`) : []));
    const files = [...new Set(this.modules.map((m) => m.file).filter((f) => f.startsWith("/")))].sort();
    return { config: frozen, hash: hashJson(frozen), options: new Map([...this.results].sort(([a], [b]) => (a < b ? -1 : 1))), warnings, files };
  }

  /** Index a module's definitions; returns the options it defines. */
  private flatten(module: Module, tree: unknown): Set<string> {
    const defined = new Set<string>();
    flattenDefinitions(module, tree, this.declarations, (site) => {
      const list = this.sites.get(site.path) ?? [];
      list.push({ ...site, index: this.siteCount++ });
      this.sites.set(site.path, list);
      defined.add(site.path);
    });
    return defined;
  }

  /** Call every module whose config is a function, once; a running one is passed over (see below). */
  private runPendingModules(): void {
    while (this.pending.length > 0) {
      const module = this.pending.shift()!;
      this.running.push(module);
      this.readDuring.set(module, new Map());
      let tree: unknown;
      try {
        tree = (module.config as (args: { config: Config }) => unknown)({ config: this.proxy("") as Config });
      } finally {
        this.running.pop();
      }
      const defined = this.flatten(module, tree);
      // Options read while this module ran were computed without its definitions: if it defines
      // one of them, that value depended on itself.
      for (const [path, chain] of this.readDuring.get(module)!) {
        if (defined.has(path)) {
          throw selfDependency(path, [...chain, { path, at: where(module) }], `module ${where(module)} reads it while computing its own definitions`);
        }
      }
    }
  }

  /** The final value of one option, computed once. */
  option(path: string): unknown {
    const done = this.results.get(path);
    if (done) return done.value;
    const cycleStart = this.stack.findIndex((f) => f.path === path);
    if (cycleStart >= 0) throw selfDependency(path, [...this.stack.slice(cycleStart), { path, at: "" }]);
    for (const module of this.running) this.readDuring.get(module)!.set(path, [...this.stack]);
    if (this.running.length === 0) this.runPendingModules();
    const declaration = this.declarations.options.get(path)!;
    const result = this.compute(declaration);
    this.results.set(path, result);
    return result.value;
  }

  private compute({ path, decl, declaredIn }: Declaration): OptionResult {
    const definitions: Definition[] = [];
    const active: { site: Site; value: unknown }[] = [];
    for (const site of this.sites.get(path) ?? []) {
      const on = site.conditions.every((c) => (typeof c === "function" ? this.within(path, site, () => c(this.proxy("") as Config)) : c));
      const value = on && typeof site.value === "function" ? this.within(path, site, () => (site.value as (c: Config) => unknown)(this.proxy("") as Config)) : site.value;
      definitions.push({ file: site.file, line: site.line, priority: site.priority, value: typeof value === "function" ? undefined : value, active: on });
      if (on) {
        refuseBadKeys(path, site, value);
        active.push({ site, value });
      }
    }
    if (active.length === 0) {
      return { value: check(path, decl, decl.default, () => `its default, declared in ${declaredIn}`, true), priority: PRIORITY.optionDefault, definitions, declaredIn, decl };
    }
    if (decl.readOnly) {
      throw new ExoError("ERR_EXO_OPTION_READ_ONLY", `option \`${path}\` is read-only, but is defined in ${active.map((a) => `${a.site.file}:${a.site.line}`).join(", ")}`);
    }
    const priority = Math.min(...active.map((a) => a.site.priority));
    const winners = active.filter((a) => a.site.priority === priority);
    if (isListType(decl.type)) winners.sort((a, b) => a.site.order - b.site.order || a.site.index - b.site.index);
    const merged = mergeDefinitions(path, decl.type, winners.map((w) => ({ value: w.value, file: w.site.file, line: w.site.line })));
    const value = check(path, decl, merged, (key) => sourcesOf(winners, key), false);
    return { value, priority, definitions, declaredIn, decl };
  }

  /** Run a lazy condition or value of `site`, with the stack showing where reads come from. */
  private within<T>(path: string, site: Site, fn: () => T): T {
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
          const reader = this.stack.at(-1)?.at ?? (this.running.at(-1) ? where(this.running.at(-1)!) : "a module");
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
    const failed = this.modules.flatMap((m) => (m.assertions ? m.assertions({ config }).filter((a) => !a.assertion).map((a) => `  - ${a.message} (${where(m)})`) : []));
    if (failed.length) throw new ExoError("ERR_EXO_ASSERTION", `${failed.length === 1 ? "an assertion" : `${failed.length} assertions`} failed:\n${failed.join("\n")}`);
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
