// Deterministic tar archives: entries sorted by name, fixed mtime, owner,
// group and mode. The same files always give the same bytes.
import { Readable } from "node:stream";
import tarStream from "tar-stream";

export interface TarEntry {
  readonly name: string;
  readonly data: Uint8Array;
  /** Permission bits; 0644 when absent. */
  readonly mode?: number;
}

/** A symbolic link (ustar typeflag '2'): the kernel's initrd lookup follows it. */
export interface TarSymlink {
  readonly name: string;
  /** Relative to the link's folder (`..` allowed) or absolute within the archive; at most 100 bytes (ustar's linkname field). */
  readonly linkTarget: string;
}

/** ustar's linkname field holds 100 bytes. */
const LINKNAME_MAX = 100;

function isSymlink(entry: TarEntry | TarSymlink): entry is TarSymlink {
  return "linkTarget" in entry;
}

export async function packTar(entries: readonly (TarEntry | TarSymlink)[], mtimeSeconds: number): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on("data", (chunk: unknown) => chunks.push(chunk as Buffer));
    pack.on("end", resolve);
    pack.on("error", reject);
  });
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const fixed = { mtime: new Date(mtimeSeconds * 1000), uid: 0, gid: 0, uname: "", gname: "" };
  for (const entry of sorted) {
    if (isSymlink(entry)) {
      const target = entry.linkTarget;
      // A cut or NUL-bearing target would point somewhere else than asked: refuse rather than write it.
      if (target === "" || target.includes("\0") || Buffer.byteLength(target) > LINKNAME_MAX) {
        throw new Error(`tar: the symlink ${entry.name} needs a target of 1 to ${LINKNAME_MAX} bytes without NUL, not ${JSON.stringify(target)}`);
      }
      pack.entry({ name: entry.name, size: 0, mode: 0o777, type: "symlink", linkname: target, ...fixed });
    } else {
      pack.entry({ name: entry.name, size: entry.data.length, mode: entry.mode ?? 0o644, type: "file", ...fixed }, Buffer.from(entry.data));
    }
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export interface UnpackedTar {
  /** The regular files. */
  readonly entries: readonly TarEntry[];
  /** The symbolic links, in archive order. */
  readonly symlinks: readonly TarSymlink[];
  /** mtime of the first entry, in seconds; needed to re-pack canonically. */
  readonly mtimeSeconds: number;
}

/** Read every regular-file and symlink entry; throws on a malformed archive. */
export async function unpackTar(bytes: Uint8Array): Promise<UnpackedTar> {
  const extract = tarStream.extract();
  const entries: TarEntry[] = [];
  const symlinks: TarSymlink[] = [];
  let mtimeSeconds = 0;
  let first = true;
  const done = new Promise<void>((resolve, reject) => {
    extract.on("entry", (header, stream, next) => {
      const parts: Buffer[] = [];
      stream.on("data", (c: unknown) => parts.push(c as Buffer));
      stream.on("end", () => {
        if (first) mtimeSeconds = Math.floor((header.mtime?.getTime() ?? 0) / 1000);
        first = false;
        if (header.type === "file") {
          const mode = header.mode !== undefined && header.mode !== 0o644 ? { mode: header.mode } : {};
          entries.push({ name: header.name, data: Buffer.concat(parts), ...mode });
        } else if (header.type === "symlink" && header.linkname) {
          symlinks.push({ name: header.name, linkTarget: header.linkname });
        }
        next();
      });
      stream.on("error", reject);
    });
    extract.on("finish", resolve);
    extract.on("error", reject);
  });
  Readable.from([Buffer.from(bytes)]).pipe(extract);
  await done;
  return { entries, symlinks, mtimeSeconds };
}
