// Reading files that may be hostile: never through a symbolic link, never
// a device, FIFO or socket, never more than a stated size, and large files
// only as a stream, so memory stays bounded whatever the input.
import { constants } from "node:fs";
import { createHash } from "node:crypto";
import { lstat, open, readdir } from "node:fs/promises";
import { join } from "node:path";
import { isCode } from "../../store/store.ts";

const CHUNK = 1 << 20;

/** A file that cannot be used as it is; the message names the file. */
export class UnsafeFile extends Error {}

/** Open a regular file for reading, never through a link and never a device or FIFO; its size as opened. */
export async function openRegular(path: string, name: string) {
  let handle;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    if (isCode(e, "ELOOP")) throw new UnsafeFile(`${name}: a symbolic link, which is never followed`);
    if (isCode(e, "ENOENT")) throw new UnsafeFile(`${name}: missing`);
    throw new UnsafeFile(`${name}: cannot be read (${e instanceof Error ? e.message : String(e)})`);
  }
  const info = await handle.stat();
  if (!info.isFile()) {
    await handle.close();
    throw new UnsafeFile(`${name}: not a regular file`);
  }
  return { handle, size: info.size };
}

/** A small file read whole: manifests and signatures. */
export async function readSmallFile(path: string, name: string, maxBytes: number): Promise<Buffer> {
  const { handle, size } = await openRegular(path, name);
  try {
    if (size > maxBytes) throw new UnsafeFile(`${name}: ${size} B, more than the ${maxBytes} B such a file may have`);
    const buffer = Buffer.alloc(size);
    const { bytesRead } = await handle.read(buffer, 0, size, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export interface HashedFile {
  readonly sha256: string;
  readonly size: number;
}

/**
 * SHA-256 of a file, read as a stream. With `expectedSize`, a file of any
 * other size is refused before a byte is read. With `copyTo`, the bytes
 * hashed are also written there, so what is used later is exactly what was
 * checked, whatever happens to the original meanwhile.
 */
export async function hashFile(path: string, name: string, opts: { expectedSize?: number; copyTo?: string } = {}): Promise<HashedFile> {
  const { handle, size } = await openRegular(path, name);
  const copy = opts.copyTo ? await open(opts.copyTo, "wx", 0o600) : undefined;
  try {
    if (opts.expectedSize !== undefined && size !== opts.expectedSize) {
      throw new UnsafeFile(`${name}: ${size} B, the signed manifest says ${opts.expectedSize} B`);
    }
    const hash = createHash("sha256");
    const buffer = Buffer.alloc(CHUNK);
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, total);
      if (bytesRead === 0) break;
      total += bytesRead;
      // A file that grows while it is read is not the file that was measured.
      if (total > size) throw new UnsafeFile(`${name}: changed while it was read`);
      const chunk = buffer.subarray(0, bytesRead);
      hash.update(chunk);
      if (copy) await copy.write(chunk);
    }
    return { sha256: hash.digest("hex"), size: total };
  } finally {
    await handle.close();
    await copy?.close();
  }
}

export interface TreeListing {
  /** Regular files, as sorted paths relative to the folder. */
  readonly files: readonly string[];
  /** Everything else (links, devices, FIFOs), each naming its path. */
  readonly problems: readonly string[];
}

/** Every entry under `dir`, without following any link. */
export async function listTree(dir: string, prefix = ""): Promise<TreeListing> {
  const files: string[] = [];
  const problems: string[] = [];
  for (const name of (await readdir(join(dir, prefix))).sort()) {
    const rel = prefix ? `${prefix}/${name}` : name;
    const info = await lstat(join(dir, rel));
    if (info.isDirectory()) {
      const inner = await listTree(dir, rel);
      files.push(...inner.files);
      problems.push(...inner.problems);
    } else if (info.isFile()) files.push(rel);
    else problems.push(`${rel}: ${info.isSymbolicLink() ? "a symbolic link, which is never followed" : "not a regular file"}`);
  }
  return { files: files.sort(), problems };
}
