// Choose the packages a system is built from: each installed name, its
// build dependencies (libraries it links) and its runtime dependencies
// (packages the image carries beside it), each the highest version of the
// set that meets every requirement on it. A missing package or version, and
// a cycle, are errors that name the chain of requirements that led there.
import semver from "semver";
import { builtinPackages } from "../../pkgs/index.ts";
import { ExoError } from "../errors.ts";
import { suggest } from "../eval/suggest.ts";
import { type PackageFiles, packageFiles } from "./files.ts";
import type { LoadedPackage } from "./manifest.ts";
import { packageKey } from "./plan.ts";

export interface ResolvedPackage {
  readonly pkg: LoadedPackage;
  readonly files: PackageFiles;
  /** The libraries it links, resolved, in link order. */
  readonly libraries: readonly LoadedPackage[];
}

/** The packages `names` need, in dependency order (every library before its users), each once. */
export async function resolvePackages(names: readonly string[], set: readonly LoadedPackage[]): Promise<ResolvedPackage[]> {
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
    for (const [name, range] of Object.entries(pkg.manifest.dependencies.runtime)) await visit(choose(set, name, range, here), here);
    out.set(key, { pkg, files: await packageFiles(pkg), libraries });
  };
  for (const name of names) await visit(choose(set, name, "*", []), []);
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

/** The packages a system is built from: init and packages.install, from the package set (pkgs/). */
export async function systemPackages(config: { readonly packages: { readonly install: readonly string[] } }): Promise<ResolvedPackage[]> {
  return resolvePackages([...new Set(["init", ...config.packages.install])], await builtinPackages());
}
