// Choose the packages a system is built from: each installed name, its
// build dependencies (libraries it links) and its runtime dependencies
// (packages the image carries beside it), each the highest version of the
// set that meets every requirement on it. A missing package or version, and
// a cycle, are errors that name the chain of requirements that led there.
import semver from "semver";
import { ExoError } from "../errors.ts";
import { suggest } from "../eval/suggest.ts";
import { type PackageFiles, packageFiles } from "./files.ts";
import type { LoadedPackage } from "./manifest.ts";
import { packageKey } from "./plan.ts";
import { declaredSandbox, type Sandbox } from "./sandbox.ts";
import { loadPackageSet, type SetOptions } from "./set.ts";

export interface ResolvedPackage {
  readonly pkg: LoadedPackage;
  readonly files: PackageFiles;
  /** The libraries it links, resolved, in link order. */
  readonly libraries: readonly LoadedPackage[];
  /** The packages it needs beside it at run time, resolved. */
  readonly runtime: readonly LoadedPackage[];
  /** Its sandbox as init starts it (the manifest's, unless the profile changed it). */
  readonly sandbox: Sandbox;
}

/** The packages `names` need, in dependency order (every library before its users), each once. */
export async function resolvePackages(names: readonly string[], set: readonly LoadedPackage[]): Promise<ResolvedPackage[]> {
  return resolveFrom(names.map((name) => choose(set, name, "*", [])), set);
}

/** The packages `roots` need, `roots` included; `sandboxes` gives each package's sandbox (default: its manifest's). */
async function resolveFrom(roots: readonly LoadedPackage[], set: readonly LoadedPackage[], sandboxes: ReadonlyMap<LoadedPackage, Sandbox> = new Map()): Promise<ResolvedPackage[]> {
  const out = new Map<string, ResolvedPackage>();
  const visit = async (pkg: LoadedPackage, chain: readonly string[]): Promise<void> => {
    const key = packageKey(pkg);
    if (chain.includes(key)) throw new ExoError("ERR_EXO_PACKAGE_INVALID", `packages depend on each other in a cycle: ${[...chain.slice(chain.indexOf(key)), key].join(" → ")}`, "a dependency cycle cannot be built: remove one of these dependencies");
    if (out.has(key)) return;
    const here = [...chain, key];
    const libraries: LoadedPackage[] = [];
    for (const [name, range] of Object.entries(pkg.manifest.dependencies.build)) {
      const lib = choose(set, name, range, here);
      await visit(lib, here);
      libraries.push(lib);
    }
    const runtime: LoadedPackage[] = [];
    for (const [name, range] of Object.entries(pkg.manifest.dependencies.runtime)) {
      const dep = choose(set, name, range, here);
      await visit(dep, here);
      runtime.push(dep);
    }
    out.set(key, { pkg, files: await packageFiles(pkg), libraries, runtime, sandbox: sandboxes.get(pkg) ?? declaredSandbox(pkg.manifest) });
  };
  for (const root of roots) await visit(root, []);
  return [...out.values()];
}

/** The highest version of `name` in the set that meets `range`. */
function choose(set: readonly LoadedPackage[], name: string, range: string, chain: readonly string[]): LoadedPackage {
  const candidates = set.filter((p) => p.manifest.package.name === name);
  const best = semver.maxSatisfying(candidates.map((p) => p.manifest.package.version), range);
  if (best !== null) return candidates.find((p) => p.manifest.package.version === best)!;
  const by = chain.length ? `${chain.join(" → ")} needs ${name} ${range}` : `package ${name} is installed`;
  if (candidates.length === 0) {
    const near = suggest(name, [...new Set(set.map((p) => p.manifest.package.name))]);
    throw new ExoError("ERR_EXO_PACKAGE_INVALID", `${by}, but the package set has no ${name}`, near.length ? `did you mean ${near.map((n) => `\`${n}\``).join(" or ")}?` : "`exo options packages.install` lists the set");
  }
  throw new ExoError("ERR_EXO_PACKAGE_INVALID", `${by}, but the package set has only ${candidates.map((p) => p.manifest.package.version).sort(semver.compare).join(", ")}`, `change the requirement, or add a version of ${name} that meets it`);
}

export interface SystemPackages {
  readonly packages: ResolvedPackage[];
  /** The package each installed attribute (and init) is. */
  readonly installed: ReadonlyMap<string, LoadedPackage>;
  /** Sandboxes a profile widened without saying mkForce. */
  readonly warnings: readonly string[];
}

/** The packages a system is built from: init and packages.install (attribute names of packages.set), and what they need. */
export async function systemPackages(config: Parameters<typeof loadPackageSet>[0] & { readonly packages: { readonly install: readonly string[] } }, opts: SetOptions): Promise<SystemPackages> {
  const { entries, warnings } = await loadPackageSet(config, opts);
  const installed = new Map(
    [...new Set(["init", ...config.packages.install])].map((attr) => {
      const entry = entries.get(attr);
      if (!entry) throw new ExoError("ERR_EXO_PACKAGE_INVALID", `packages.install holds "${attr}", which is not in packages.set`, "add it to packages.set, or `exo search` for the set");
      return [attr, entry.pkg] as const;
    }),
  );
  const all = [...entries.values()];
  return { packages: await resolveFrom([...installed.values()], all.map((e) => e.pkg), new Map(all.map((e) => [e.pkg, e.sandbox]))), installed, warnings };
}
