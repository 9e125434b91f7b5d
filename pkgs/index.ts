// The packages Exo ships: each folder here is a package, its `.exopkg`
// manifest beside its sources, in the same form as any user's package.
// Read when a build needs them; a broken manifest here is a bug in Exo
// itself, reported as such. What evaluation needs of them (names,
// versions, daemons) is set.json, generated from the manifests (npm run
// docs, kept current by a test), so that evaluating a profile loads
// neither the YAML parser nor semver.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { type Manifest, manifestSchema } from "../schemas/manifest.ts";
import type { PackageSummary } from "./set.ts";

export const PKGS_DIR = dirname(fileURLToPath(import.meta.url));

export interface BuiltinPackage {
  readonly manifest: Manifest;
  /** Absolute paths of the manifest and of the package's folder. */
  readonly file: string;
  readonly dir: string;
}

function loadBuiltins(): BuiltinPackage[] {
  const folders = readdirSync(PKGS_DIR, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return folders.map((folder) => {
    const dir = join(PKGS_DIR, folder);
    const names = readdirSync(dir).filter((n) => n.endsWith(".exopkg"));
    if (names.length !== 1) throw new Error(`pkgs/${folder} must hold exactly one .exopkg manifest, not ${names.length}`);
    const file = join(dir, names[0]!);
    const parsed = manifestSchema.safeParse(parse(readFileSync(file, "utf8")));
    if (!parsed.success) throw new Error(`pkgs/${folder}/${names[0]}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    if (parsed.data.package.name !== folder) throw new Error(`pkgs/${folder}/${names[0]} names the package ${parsed.data.package.name}: a built-in package's folder is its name`);
    return { manifest: parsed.data, file, dir };
  });
}

let loaded: readonly BuiltinPackage[] | undefined;

/** Every built-in package, sorted by name (read once). */
export function builtinPackages(): readonly BuiltinPackage[] {
  loaded ??= loadBuiltins();
  return loaded;
}

/** set.json: what the option schemas need of each built-in package. */
export function builtinSummary(): PackageSummary[] {
  return builtinPackages().map(({ manifest: m }) => ({ name: m.package.name, version: m.package.version, description: m.package.description, daemon: m.services.some((s) => s.daemon) }));
}

// `tsx pkgs/index.ts` prints set.json (npm run docs).
if (process.argv[1] === import.meta.filename) process.stdout.write(`${JSON.stringify(builtinSummary(), null, 2)}\n`);
