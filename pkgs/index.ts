// The packages Exo ships: each folder here is a package, its `.exopkg`
// manifest beside its sources, in the same form as any user's package.
// Read, by the loader every package goes through, when a build or `exo
// search` needs them. What evaluation needs of them (names,
// versions, daemons) is set.json, generated from the manifests (npm run
// docs, kept current by a test), so that evaluating a profile loads
// neither the YAML parser nor semver.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { exoPath } from "../generator/exo-root.ts";
import { type LoadedPackage, loadPackage } from "../generator/packages/manifest.ts";
import type { PackageSummary } from "./set.ts";

export const PKGS_DIR = exoPath("pkgs");

async function loadBuiltins(): Promise<LoadedPackage[]> {
  const folders = (await readdir(PKGS_DIR, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const packages = [];
  for (const folder of folders) {
    // The same loader as any user's package: one manifest per folder, every problem named.
    const pkg = await loadPackage(join(PKGS_DIR, folder));
    if (pkg.manifest.package.name !== folder) throw new Error(`pkgs/${folder} holds the package ${pkg.manifest.package.name}: a built-in package's folder is its name`);
    packages.push(pkg);
  }
  return packages;
}

let loaded: Promise<readonly LoadedPackage[]> | undefined;

/** Every built-in package, sorted by name (read once). */
export function builtinPackages(): Promise<readonly LoadedPackage[]> {
  loaded ??= loadBuiltins();
  return loaded;
}

/** set.json: what the option schemas need of each built-in package. */
export async function builtinSummary(): Promise<PackageSummary[]> {
  return (await builtinPackages()).map(({ manifest: m }) => ({ name: m.package.name, version: m.package.version, description: m.package.description, daemon: m.services.some((s) => s.daemon) }));
}

// `tsx pkgs/index.ts` prints set.json (npm run docs).
if (process.argv[1] === import.meta.filename) process.stdout.write(`${JSON.stringify(await builtinSummary(), null, 2)}\n`);
