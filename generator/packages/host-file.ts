// A file of the build host taken into a package: a program a Debian
// package installed (`prebuilt.debian`). Read once, through its resolved
// path, opened without blocking (a fifo never stalls the build) and
// checked to be a regular file of bounded size on the descriptor itself;
// its bytes count only once their SHA-256 is the one the manifest pins.
import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { open, realpath } from "node:fs/promises";
import { promisify } from "node:util";
import { sha256Hex } from "../../store/hash.ts";
import { ExoError } from "../errors.ts";

/** Most bytes of a host file: a program, not a data set (the same as a package's own files). */
export const HOST_FILE_MAX_BYTES = 64 * 1024 * 1024;

export interface HostFileOrigin {
  /** The Debian package that installs it. */
  readonly debian: string;
  /** Absolute path on the host. */
  readonly path: string;
}

/** `where` names the manifest and field, for errors. */
export async function readHostFile(origin: HostFileOrigin, where: string): Promise<Buffer> {
  const { path } = origin;
  let real: string;
  try {
    real = await realpath(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ELOOP") throw new ExoError("ERR_EXO_PACKAGE_INVALID", `${where}: ${path} is a loop of symbolic links`, `reinstall the Debian package: apt-get install --reinstall ${origin.debian}`);
    if (code === "ENOENT" || code === "ENOTDIR") throw await missing(origin, where);
    throw new ExoError("ERR_EXO_PACKAGE_INVALID", `${where}: ${path} cannot be read (${code ?? String(e)})`, `check the file's permissions; it comes from the Debian package ${origin.debian}`);
  }
  // O_NONBLOCK: opening a fifo returns at once, and the fstat below refuses it.
  const handle = await open(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW).catch((e: NodeJS.ErrnoException) => {
    throw new ExoError("ERR_EXO_PACKAGE_INVALID", `${where}: ${path} cannot be opened (${e.code ?? e.message})`, `check the file; it comes from the Debian package ${origin.debian}`);
  });
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new ExoError("ERR_EXO_PACKAGE_INVALID", `${where}: ${path} is not a regular file (${kindOf(info)})`, `a program is a regular file: reinstall it with apt-get install --reinstall ${origin.debian}`);
    if (info.size > HOST_FILE_MAX_BYTES) throw new ExoError("ERR_EXO_PACKAGE_INVALID", `${where}: ${path} is ${info.size} bytes, more than the ${HOST_FILE_MAX_BYTES} a package file may have`);
    // Read at most one byte past the limit: a file that grows meanwhile is still refused.
    const buffer = Buffer.alloc(Math.min(info.size, HOST_FILE_MAX_BYTES) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) throw new ExoError("ERR_EXO_PACKAGE_INVALID", `${where}: ${path} grew while it was read`, "build again once nothing writes it");
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

/** Read and check against `sha256` (64 hex digits): the bytes, or an error with both hashes and the installed version. */
export async function readPinnedHostFile(origin: HostFileOrigin, sha256: string, where: string): Promise<Buffer> {
  const bytes = await readHostFile(origin, where);
  const actual = sha256Hex(bytes);
  if (actual !== sha256) {
    const version = await installedVersion(origin.debian);
    throw new ExoError(
      "ERR_EXO_PACKAGE_INVALID",
      `${where}: ${origin.path} (Debian package ${origin.debian}, ${version === undefined ? "not installed" : `version ${version}`}) has SHA-256 ${actual}, but the manifest pins ${sha256}`,
      `a prebuilt file is taken only as pinned: install the version it was pinned from (${installHint(origin.debian)}), or check the new one and pin its hash`,
    );
  }
  return bytes;
}

async function missing(origin: HostFileOrigin, where: string): Promise<ExoError> {
  const version = await installedVersion(origin.debian);
  const state = version === undefined ? `the Debian package ${origin.debian} is not installed` : `the Debian package ${origin.debian} ${version} is installed, but not this file`;
  return new ExoError("ERR_EXO_PACKAGE_INVALID", `${where}: ${origin.path} does not exist: ${state}`, installHint(origin.debian));
}

/** How to install it: the setup script for what it installs, else apt-get. */
const installHint = (debian: string): string => (SETUP_INSTALLS.has(debian) ? `scripts/setup.sh installs ${debian}; or apt-get install ${debian}` : `apt-get install ${debian}`);
const SETUP_INSTALLS = new Set(["busybox-static"]);

/** The version dpkg says is installed; undefined when it is not, or there is no dpkg. */
export async function installedVersion(debian: string): Promise<string | undefined> {
  try {
    const { stdout } = await promisify(execFile)("dpkg-query", ["-W", "-f", "${Status}\t${Version}", debian], { timeout: 10_000 });
    const [status, version] = stdout.split("\t");
    return status?.endsWith(" installed") && version ? version : undefined;
  } catch {
    return undefined;
  }
}

function kindOf(info: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (info.isDirectory()) return "a folder";
  if (info.isFIFO()) return "a fifo";
  if (info.isCharacterDevice() || info.isBlockDevice()) return "a device";
  if (info.isSocket()) return "a socket";
  return "not a file";
}
