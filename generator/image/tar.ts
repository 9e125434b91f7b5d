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

export async function packTar(entries: readonly TarEntry[], mtimeSeconds: number): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on("data", (chunk: unknown) => chunks.push(chunk as Buffer));
    pack.on("end", resolve);
    pack.on("error", reject);
  });
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of sorted) {
    pack.entry(
      { name: entry.name, size: entry.data.length, mode: entry.mode ?? 0o644, mtime: new Date(mtimeSeconds * 1000), uid: 0, gid: 0, uname: "", gname: "", type: "file" },
      Buffer.from(entry.data),
    );
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export interface UnpackedTar {
  readonly entries: readonly TarEntry[];
  /** mtime of the first entry, in seconds; needed to re-pack canonically. */
  readonly mtimeSeconds: number;
}

/** Read every regular-file entry; throws on a malformed archive. */
export async function unpackTar(bytes: Uint8Array): Promise<UnpackedTar> {
  const extract = tarStream.extract();
  const entries: TarEntry[] = [];
  let mtimeSeconds = 0;
  const done = new Promise<void>((resolve, reject) => {
    extract.on("entry", (header, stream, next) => {
      const parts: Buffer[] = [];
      stream.on("data", (c: unknown) => parts.push(c as Buffer));
      stream.on("end", () => {
        if (entries.length === 0) mtimeSeconds = Math.floor((header.mtime?.getTime() ?? 0) / 1000);
        if (header.type === "file") {
          const mode = header.mode !== undefined && header.mode !== 0o644 ? { mode: header.mode } : {};
          entries.push({ name: header.name, data: Buffer.concat(parts), ...mode });
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
  return { entries, mtimeSeconds };
}
