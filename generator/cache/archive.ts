// A store path as one archive blob: the canonical ustar that packTar
// writes (sorted names, mtime 0, mode 0644 or 0755, nothing but regular
// files), streamed to and from disk so a large path never sits in memory.
// Unpacking trusts nothing: the strict reader refuses links, `..`,
// duplicates and non-canonical headers, and the caller re-hashes the
// result against the path's name before the store sees it.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open } from "node:fs/promises";
import { dirname, join } from "node:path";
import { listTree } from "../../store/tree.ts";
import { listTar, streamEntry, ustarHeader } from "../image/tar-read.ts";

const BLOCK = 512;
/** The one entry of the archive of a path that is a single file. */
export const SINGLE_FILE_ENTRY = "file";

export interface PackedPath {
  readonly type: "directory" | "file";
  readonly digest: string;
  readonly size: number;
  readonly files: number;
  /** Bytes of the files themselves. */
  readonly contentSize: number;
}

export class ArchiveRefused extends Error {}

/** Write the archive of the tree at `root` into `file`. */
export async function packPath(root: string, file: string): Promise<PackedPath> {
  const entries = await listTree(root);
  const single = entries.length === 1 && entries[0]!.path === "";
  const out = await open(file, "wx", 0o644);
  const hash = createHash("sha256");
  let size = 0;
  const write = async (bytes: Buffer) => {
    hash.update(bytes);
    size += bytes.length;
    await out.write(bytes);
  };
  try {
    for (const entry of entries) {
      const name = single ? SINGLE_FILE_ENTRY : entry.path;
      const header = ustarHeader({ name, size: entry.size, mode: entry.executable ? 0o755 : 0o644, mtime: 0 });
      if (!header) throw new Error(`${root}: ${entry.path} cannot be named in a ustar header`);
      await write(header);
      for await (const chunk of createReadStream(single ? root : join(root, entry.path))) await write(chunk as Buffer);
      await write(Buffer.alloc((BLOCK - (entry.size % BLOCK)) % BLOCK));
    }
    await write(Buffer.alloc(2 * BLOCK));
  } finally {
    await out.close();
  }
  const contentSize = entries.reduce((sum, e) => sum + e.size, 0);
  return { type: single ? "file" : "directory", digest: `sha256:${hash.digest("hex")}`, size, files: entries.length, contentSize };
}

export interface UnpackLimits {
  readonly type: "directory" | "file";
  readonly files: number;
  readonly size: number;
}

/**
 * Recreate the tree of `archive` at `target` (which must not exist), holding
 * exactly the file count and byte total announced in the signed record.
 */
export async function unpackPath(archive: string, archiveSize: number, target: string, expect: UnpackLimits): Promise<void> {
  const handle = await open(archive, "r");
  try {
    const { entries, problems } = await listTar(handle, archiveSize);
    if (problems.length) throw new ArchiveRefused(problems[0]!.replace(/^bundle/, "archive"));
    if (entries.length !== expect.files) throw new ArchiveRefused(`the archive holds ${entries.length} files, the record ${expect.files}`);
    const total = entries.reduce((sum, e) => sum + e.size, 0);
    if (total !== expect.size) throw new ArchiveRefused(`the archive holds ${total} bytes of files, the record ${expect.size}`);
    if (expect.type === "file" && (entries.length !== 1 || entries[0]!.name !== SINGLE_FILE_ENTRY)) throw new ArchiveRefused(`a single-file path's archive must hold one entry named ${SINGLE_FILE_ENTRY}`);
    if (expect.type === "directory") await mkdir(target, { mode: 0o755 });
    for (const entry of entries) {
      if (entry.mode !== 0o644 && entry.mode !== 0o755) throw new ArchiveRefused(`${entry.name}: mode ${entry.mode.toString(8)}, expected 644 or 755`);
      if (entry.mtime !== 0) throw new ArchiveRefused(`${entry.name}: mtime ${entry.mtime}, expected 0`);
      const file = expect.type === "file" ? target : join(target, entry.name);
      await mkdir(dirname(file), { recursive: true, mode: 0o755 }).catch(() => {
        throw new ArchiveRefused(`${entry.name}: a file stands where its folder would go`);
      });
      // Exclusive creation: nothing in the fresh target can be a link to follow, and no name is written twice.
      const out = await open(file, "wx", entry.mode).catch(() => {
        throw new ArchiveRefused(`${entry.name}: cannot be created (a folder of the same name?)`);
      });
      try {
        const { paddingOk } = await streamEntry(handle, entry, async (chunk) => {
          await out.write(chunk);
        });
        if (!paddingOk) throw new ArchiveRefused(`${entry.name}: non-zero padding`);
      } finally {
        await out.close();
      }
    }
  } finally {
    await handle.close();
  }
}
