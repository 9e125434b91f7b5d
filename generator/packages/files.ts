// The files a package is built from, resolved in its folder: its sources
// (`*` matches within one folder), headers, prebuilt file and manifest,
// each a regular file read by content. A link, a device or a path that
// matches nothing is refused: what is hashed is what is built.
import { lstat, readdir, readFile, realpath } from "node:fs/promises";
import { join, posix, relative, sep } from "node:path";
import { sha256Hex } from "../../store/hash.ts";
import { ExoError } from "../errors.ts";
import { displayPath } from "../eval/paths.ts";
import type { LoadedPackage } from "./manifest.ts";

export interface PackageFile {
  /** Relative to the package's folder, with '/' separators. */
  readonly path: string;
  readonly sha256: string;
}

export interface PackageFiles {
  readonly sources: readonly PackageFile[];
  readonly headers: readonly PackageFile[];
  readonly prebuilt?: PackageFile;
  /** The manifest file itself, also part of the package's inputs. */
  readonly manifest: PackageFile;
}

export async function packageFiles(pkg: LoadedPackage): Promise<PackageFiles> {
  const { manifest } = pkg;
  const field = (name: string) => `${displayPath(pkg.file)}: \`${name}\``;
  const sources = await resolveAll(pkg, manifest.sources, field("sources"));
  const headers = await resolveAll(pkg, manifest.headers, field("headers"));
  const prebuilt = manifest.prebuilt ? await hashed(pkg, manifest.prebuilt.file, field("prebuilt.file")) : undefined;
  if (prebuilt && prebuilt.sha256 !== manifest.prebuilt!.sha256) {
    throw new ExoError(
      "ERR_EXO_PACKAGE_INVALID",
      `${field("prebuilt.sha256")}: ${prebuilt.path} has SHA-256 ${prebuilt.sha256}, but the manifest pins ${manifest.prebuilt!.sha256}`,
      "a prebuilt file is taken only as pinned: check where it came from, then pin its new hash",
    );
  }
  const manifestFile = await hashed(pkg, relative(pkg.dir, pkg.file).split("\\").join("/"), displayPath(pkg.file));
  return { sources, headers, ...(prebuilt ? { prebuilt } : {}), manifest: manifestFile };
}

/** Each entry a file, or a `*` pattern within one folder; sorted, without repeats; a pattern that matches nothing is an error. */
async function resolveAll(pkg: LoadedPackage, entries: readonly string[], where: string): Promise<PackageFile[]> {
  const paths = new Set<string>();
  for (const entry of entries) {
    if (!entry.includes("*")) {
      paths.add(posix.normalize(entry));
      continue;
    }
    const folder = posix.dirname(entry);
    if (folder.includes("*")) throw new ExoError("ERR_EXO_PACKAGE_INVALID", `${where}: ${entry}: \`*\` matches within one folder, not in folder names`);
    const pattern = new RegExp(`^${posix.basename(entry).replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}$`);
    const names = await readdir(join(pkg.dir, folder)).catch(() => []);
    const matched = names.filter((n) => pattern.test(n)).sort();
    if (matched.length === 0) throw new ExoError("ERR_EXO_PACKAGE_INVALID", `${where}: ${entry} matches no file in ${displayPath(join(pkg.dir, folder))}`);
    for (const name of matched) paths.add(posix.join(folder, name));
  }
  const files: PackageFile[] = [];
  for (const path of [...paths].sort()) files.push(await hashed(pkg, path, where));
  return files;
}

/** Most bytes of one file of a package: a source tree, not a data set. */
export const PACKAGE_FILE_MAX_BYTES = 64 * 1024 * 1024;

async function hashed(pkg: LoadedPackage, path: string, where: string): Promise<PackageFile> {
  const file = join(pkg.dir, path);
  const info = await lstat(file).catch(() => undefined);
  if (!info) throw new ExoError("ERR_EXO_PACKAGE_INVALID", `${where}: ${path} does not exist in ${displayPath(pkg.dir)}`);
  if (!info.isFile()) throw new ExoError("ERR_EXO_PACKAGE_INVALID", `${where}: ${path} is not a regular file (a link, a folder or a device is never followed)`);
  // A folder on the way may be a link: the file must still be inside the package.
  const [real, root] = await Promise.all([realpath(file), realpath(pkg.dir)]);
  if (!real.startsWith(`${root}${sep}`)) throw new ExoError("ERR_EXO_PACKAGE_INVALID", `${where}: ${path} leads out of the package's folder through a link`);
  if (info.size > PACKAGE_FILE_MAX_BYTES) throw new ExoError("ERR_EXO_PACKAGE_INVALID", `${where}: ${path} is ${info.size} bytes, more than the ${PACKAGE_FILE_MAX_BYTES} a package file may have`);
  return { path, sha256: sha256Hex(await readFile(file)) };
}
