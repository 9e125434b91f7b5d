// The files a package is built from, resolved in its folder: its sources
// (`*` matches within one folder), headers, data, the program taken as is
// (a prebuilt file or a script) and the manifest, each a regular file read
// by content. A link, a device or a path that matches nothing is refused:
// what is hashed is what is built. A prebuilt file of a Debian package is
// read from the build host (host-file.ts), only as its pinned hash.
import { lstat, open, readdir, readFile, realpath } from "node:fs/promises";
import { join, posix, relative, sep } from "node:path";
import { sha256Hex } from "../../store/hash.ts";
import { ExoError } from "../errors.ts";
import { displayPath } from "../eval/paths.ts";
import { type HostFileOrigin, readPinnedHostFile } from "./host-file.ts";
import type { LoadedPackage } from "./manifest.ts";
import { type Interpreter, interpreterOf, SHEBANG_MAX } from "./script.ts";

export interface PackageFile {
  /** Relative to the package's folder (for a host file: its name in the package's sources tree), with '/' separators. */
  readonly path: string;
  readonly sha256: string;
  /** A file of the build host (`prebuilt.debian`), which the sources builder reads. */
  readonly host?: HostFileOrigin;
}

export interface PackageFiles {
  readonly sources: readonly PackageFile[];
  readonly headers: readonly PackageFile[];
  /** The program taken as is, not compiled: a prebuilt file or a script. */
  readonly prebuilt?: PackageFile;
  /** Files shipped beside the program (manifest `data`); none when left out. */
  readonly data?: readonly PackageFile[];
  /** The `#!` line of a program that is a script. */
  readonly interpreter?: Interpreter;
  /** The manifest file itself, also part of the package's inputs. */
  readonly manifest: PackageFile;
}

/** Every file of a package, each once: what its sources derivation copies, and what the SBOM and the no-op cache list. */
export const allPackageFiles = (files: PackageFiles): PackageFile[] =>
  [...new Map([files.manifest, ...files.sources, ...files.headers, ...(files.data ?? []), ...(files.prebuilt ? [files.prebuilt] : [])].map((f) => [f.path, f])).values()].sort((a, b) => (a.path < b.path ? -1 : 1));

/** Where each file of a package is on the build host (a host file's own path), for the no-op cache. */
export const packageInputPaths = (pkg: LoadedPackage, files: PackageFiles): string[] => allPackageFiles(files).map((f) => f.host?.path ?? join(pkg.dir, f.path));

export async function packageFiles(pkg: LoadedPackage): Promise<PackageFiles> {
  const { manifest } = pkg;
  const field = (name: string) => `${displayPath(pkg.file)}: \`${name}\``;
  const sources = await resolveAll(pkg, manifest.sources, field("sources"));
  const headers = await resolveAll(pkg, manifest.headers, field("headers"));
  const data = await resolveAll(pkg, manifest.data, field("data"));
  const program = await programFile(pkg, field);
  const manifestFile = await hashed(pkg, relative(pkg.dir, pkg.file).split("\\").join("/"), displayPath(pkg.file));
  return { sources, headers, data, ...program, manifest: manifestFile };
}

/** The program taken as is: a prebuilt file (of the package, or of a Debian package on the host) or a script, with its `#!` line. */
async function programFile(pkg: LoadedPackage, field: (name: string) => string): Promise<{ prebuilt?: PackageFile; interpreter?: Interpreter }> {
  const { prebuilt, script } = pkg.manifest;
  if (script !== undefined) {
    const file = await hashed(pkg, posix.normalize(script), field("script"));
    const interpreter = interpreterOf(await readHead(join(pkg.dir, file.path)), `${field("script")}: ${file.path}`);
    if (!interpreter) throw new ExoError("ERR_EXO_PACKAGE_INVALID", `${field("script")}: ${file.path} does not start with \`#!\``, "a script's first line names its interpreter, such as #!/exo/bin/sh (package busybox)");
    return { prebuilt: file, interpreter };
  }
  if (!prebuilt) return {};
  let bytes: Buffer;
  let file: PackageFile;
  if (prebuilt.debian) {
    const { package: debian, path } = prebuilt.debian;
    bytes = await readPinnedHostFile({ debian, path }, prebuilt.sha256, field("prebuilt.debian"));
    file = { path: `debian/${debian}${path}`, sha256: prebuilt.sha256, host: { debian, path } };
  } else {
    file = await hashed(pkg, posix.normalize(prebuilt.file!), field("prebuilt.file"));
    if (file.sha256 !== prebuilt.sha256) {
      throw new ExoError(
        "ERR_EXO_PACKAGE_INVALID",
        `${field("prebuilt.sha256")}: ${file.path} has SHA-256 ${file.sha256}, but the manifest pins ${prebuilt.sha256}`,
        "a prebuilt file is taken only as pinned: check where it came from, then pin its new hash",
      );
    }
    bytes = await readHead(join(pkg.dir, file.path));
  }
  // A prebuilt script runs as one does: its interpreter must be in the image too.
  const interpreter = interpreterOf(bytes, `${field("prebuilt")}: ${file.path}`);
  return { prebuilt: file, ...(interpreter ? { interpreter } : {}) };
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

/** The first bytes of a file: enough for its `#!` line. */
async function readHead(file: string): Promise<Buffer> {
  const handle = await open(file, "r");
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(SHEBANG_MAX), 0, SHEBANG_MAX, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

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
