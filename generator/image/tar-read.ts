// A strict, streaming reader of the tar archives Exo writes (tar.ts), for
// archives that may be hostile. It accepts only what packTar produces:
// regular files with canonical ustar headers, zero padding, the two zero
// blocks at the end and nothing after them. Anything else (links, devices,
// folders, paths with `..`, duplicates, extra bytes) is a problem that
// names the entry. Data is read from the file on demand, a chunk at a
// time, so memory stays bounded however large the archive is.
import { createHash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";

const BLOCK = 512;
const CHUNK = 1 << 20;

export interface TarEntryInfo {
  readonly name: string;
  readonly size: number;
  readonly mode: number;
  readonly mtime: number;
  /** Where the entry's data starts in the archive. */
  readonly offset: number;
}

export interface TarListing {
  readonly entries: readonly TarEntryInfo[];
  readonly problems: readonly string[];
}

/** The header packTar writes for an entry (tar-stream's ustar encoding, for the fields Exo uses). */
export function ustarHeader(entry: { name: string; size: number; mode: number; mtime: number }): Buffer | undefined {
  const block = Buffer.alloc(BLOCK);
  let name = entry.name;
  let prefix = "";
  if (Buffer.byteLength(name) !== name.length) return undefined;
  while (name.length > 100) {
    const slash = name.indexOf("/");
    if (slash === -1) return undefined;
    prefix += prefix ? `/${name.slice(0, slash)}` : name.slice(0, slash);
    name = name.slice(slash + 1);
  }
  if (prefix.length > 155) return undefined;
  block.write(name, 0, "latin1");
  block.write(octal(entry.mode & 0o7777, 6), 100, "latin1");
  block.write(octal(0, 6), 108, "latin1");
  block.write(octal(0, 6), 116, "latin1");
  block.write(octal(entry.size, 11), 124, "latin1");
  block.write(octal(entry.mtime, 11), 136, "latin1");
  block[156] = 0x30; // '0': a regular file
  block.write("ustar\u000000", 257, "latin1");
  block.write(octal(0, 6), 329, "latin1");
  block.write(octal(0, 6), 337, "latin1");
  if (prefix) block.write(prefix, 345, "latin1");
  block.write(octal(checksum(block), 6), 148, "latin1");
  return block;
}

function octal(value: number, digits: number): string {
  return `${value.toString(8).padStart(digits, "0")} `;
}

function checksum(block: Buffer): number {
  let sum = 8 * 0x20; // the checksum field counts as spaces
  for (let i = 0; i < BLOCK; i++) if (i < 148 || i >= 156) sum += block[i]!;
  return sum;
}

/** The name of a header: prefix and name, up to their first NUL. */
function headerName(block: Buffer): string {
  const field = (from: number, length: number) => {
    const raw = block.subarray(from, from + length);
    const end = raw.indexOf(0);
    return raw.subarray(0, end === -1 ? length : end).toString("latin1");
  };
  const prefix = field(345, 155);
  const name = field(0, 100);
  return prefix ? `${prefix}/${name}` : name;
}

function parseOctal(block: Buffer, from: number, length: number): number | undefined {
  const text = block.subarray(from, from + length).toString("latin1").replace(/[\0 ]+$/, "");
  return /^[0-7]{1,11}$/.test(text) ? Number.parseInt(text, 8) : undefined;
}

/** A path inside an image: relative, plain ASCII, no empty, `.` or `..` part. */
export function isSafeEntryName(name: string): boolean {
  if (!/^[\x21-\x7e]+$/.test(name) || name.includes("\\")) return false;
  return name.split("/").every((part) => part !== "" && part !== "." && part !== "..");
}

async function readAt(handle: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, offset);
  return buffer.subarray(0, bytesRead);
}

/** Walk the headers, reading no data: every entry, or the problems that make the archive unusable. */
export async function listTar(handle: FileHandle, archiveSize: number): Promise<TarListing> {
  const entries: TarEntryInfo[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  let at = 0;
  for (;;) {
    const block = await readAt(handle, at, BLOCK);
    if (block.length < BLOCK) return { entries, problems: [...problems, `bundle: ends inside a header at byte ${at} (truncated)`] };
    if (block.every((b) => b === 0)) {
      const second = await readAt(handle, at + BLOCK, BLOCK);
      if (second.length < BLOCK || !second.every((b) => b === 0)) problems.push(`bundle: the end-of-archive marker at byte ${at} is incomplete`);
      else if (at + 2 * BLOCK !== archiveSize) problems.push(`bundle: ${archiveSize - at - 2 * BLOCK} B after the end of the archive`);
      return { entries, problems };
    }
    const name = headerName(block);
    const where = `bundle entry ${JSON.stringify(name)} at byte ${at}`;
    const size = parseOctal(block, 124, 12);
    const mode = parseOctal(block, 100, 8);
    const mtime = parseOctal(block, 136, 12);
    if (parseOctal(block, 148, 8) !== checksum(block)) return { entries, problems: [...problems, `${where}: header checksum is wrong`] };
    if (size === undefined || mode === undefined || mtime === undefined) return { entries, problems: [...problems, `${where}: malformed header`] };
    const dataEnd = at + BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (dataEnd > archiveSize) return { entries, problems: [...problems, `${where}: ${size} B of data run past the end of the archive (truncated)`] };
    if (block[156] !== 0x30) problems.push(`${where}: type '${String.fromCharCode(block[156]!)}', but only regular files are allowed`);
    else if (!isSafeEntryName(name)) problems.push(`${where}: not a plain relative path`);
    else if (seen.has(name)) problems.push(`${where}: a second entry of the same name`);
    else if (!ustarHeader({ name, size, mode, mtime })?.equals(block)) problems.push(`${where}: the header is not in canonical form`);
    else entries.push({ name, size, mode, mtime, offset: at + BLOCK });
    seen.add(name);
    at = dataEnd;
  }
}

/** Read an entry's data as a stream: hash it, check its padding, and hand each chunk on. */
export async function streamEntry(handle: FileHandle, entry: TarEntryInfo, onChunk?: (chunk: Buffer) => void | Promise<void>): Promise<{ sha256: string; paddingOk: boolean }> {
  const hash = createHash("sha256");
  for (let done = 0; done < entry.size; ) {
    const chunk = await readAt(handle, entry.offset + done, Math.min(CHUNK, entry.size - done));
    if (chunk.length === 0) break;
    hash.update(chunk);
    await onChunk?.(chunk);
    done += chunk.length;
  }
  const padding = (BLOCK - (entry.size % BLOCK)) % BLOCK;
  const pad = padding ? await readAt(handle, entry.offset + entry.size, padding) : Buffer.alloc(0);
  return { sha256: hash.digest("hex"), paddingOk: pad.every((b) => b === 0) };
}

/** An entry's whole data; only for entries whose size was checked against a limit. */
export async function readEntry(handle: FileHandle, entry: TarEntryInfo): Promise<Buffer> {
  return readAt(handle, entry.offset, entry.size);
}
