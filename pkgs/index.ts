// The packages Exo ships: each folder here is a package, its `.exopkg`
// manifest beside its sources, in the same form as any user's package.
// Read once, synchronously, when the option schemas load: their names are
// the set `packages.install` takes, and a broken manifest here is a bug in
// Exo itself, reported as such.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { type Manifest, manifestSchema } from "../schemas/manifest.ts";

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

/** Every built-in package, sorted by name. */
export const builtinPackages: readonly BuiltinPackage[] = loadBuiltins();
