// The `bundle` format: a deterministic tar of every file of the image,
// manifest and signature included. Checked as a stream: the headers are
// walked first, the manifest's signature is checked next, and only then is
// any other entry's data read, hashed and (within its listed size) kept.
import type { FileHandle } from "node:fs/promises";
import type { PublicKey } from "../sign/keys.ts";
import { MANIFEST_MAX_BYTES, SIGNATURE_MAX_BYTES } from "./image-manifest.ts";
import { type Manifest, MANIFEST_FILE, manifestSchema, SIGNATURE_FILE } from "./manifest.ts";
import { openRegular, UnsafeFile } from "./safe-read.ts";
import { packTar } from "./tar.ts";
import { listTar, readEntry, streamEntry, type TarEntryInfo } from "./tar-read.ts";
import { checkSigned, type ImageReport } from "./verify.ts";

/** Files up to this size are kept in memory for the caller (the kernel, the initrd); larger ones are only hashed. */
export const KEEP_MAX_BYTES = 64 << 20;

export async function writeBundle(files: ReadonlyMap<string, Uint8Array>, mtimeSeconds: number): Promise<Buffer> {
  return packTar([...files].map(([name, data]) => ({ name, data })), mtimeSeconds);
}

export interface BundleReport extends ImageReport {
  /** The files read back, each checked against the manifest. */
  readonly files: ReadonlyMap<string, Uint8Array>;
}

/** Check a bundle file completely: archive form, signature, and every entry's size and SHA-256. */
export async function verifyBundle(path: string, trusted: readonly PublicKey[], detachedSignature?: Uint8Array): Promise<BundleReport> {
  let opened;
  try {
    opened = await openRegular(path, "bundle");
  } catch (e) {
    if (e instanceof UnsafeFile) return failed(e.message);
    throw e;
  }
  const { handle, size } = opened;
  try {
    const listing = await listTar(handle, size);
    if (listing.problems.length) return failed(...listing.problems);
    const byName = new Map(listing.entries.map((e) => [e.name, e] as const));
    const small = async (name: string, max: number) => {
      const entry = byName.get(name);
      if (!entry) return undefined;
      if (entry.size > max) throw new UnsafeFile(`${name}: ${entry.size} B, more than the ${max} B such a file may have`);
      return readEntry(handle, entry);
    };
    const ownSignature = await small(SIGNATURE_FILE, SIGNATURE_MAX_BYTES);
    const signed = checkSigned(await small(MANIFEST_FILE, MANIFEST_MAX_BYTES), ownSignature ?? detachedSignature, manifestSchema, { file: MANIFEST_FILE, signature: SIGNATURE_FILE }, trusted);
    const manifest = signed.value;
    if (!manifest) return failed(...signed.problems);
    const checked = await checkEntries(handle, listing.entries, manifest);
    const problems = [...signed.problems, ...checked.problems];
    return {
      ok: problems.length === 0,
      problems,
      manifest,
      files: checked.files,
      ...(signed.keyId ? { keyId: signed.keyId, algorithm: signed.algorithm! } : {}),
    };
  } catch (e) {
    if (e instanceof UnsafeFile) return failed(e.message);
    throw e;
  } finally {
    await handle.close();
  }
}

/** Every entry against the manifest: the set of names, the order, each header's time and mode, each size and hash. */
async function checkEntries(handle: FileHandle, entries: readonly TarEntryInfo[], manifest: Manifest): Promise<{ problems: string[]; files: Map<string, Uint8Array> }> {
  const problems: string[] = [];
  const files = new Map<string, Uint8Array>();
  const listed = new Map(manifest.files.map((f) => [f.path, f] as const));
  const names = entries.map((e) => e.name);
  if (names.some((name, i) => i > 0 && names[i - 1]! >= name)) problems.push("bundle: entries are not in sorted order");
  for (const entry of entries) {
    // Every header field is fixed by the signed manifest: the time is its `created`, the mode 0644.
    if (entry.mtime !== manifest.created) problems.push(`${entry.name}: archive time ${entry.mtime}, the manifest's is ${manifest.created}`);
    if (entry.mode !== 0o644) problems.push(`${entry.name}: mode ${entry.mode.toString(8)}, bundles hold mode 644 only`);
    const signing = entry.name === MANIFEST_FILE || entry.name === SIGNATURE_FILE; // already bounded and checked
    const expected = listed.get(entry.name);
    if (!expected && !signing) {
      problems.push(`${entry.name}: in the image but not in the manifest`);
      continue;
    }
    if (expected && entry.size !== expected.size) {
      problems.push(`${entry.name}: size ${entry.size} B, the manifest says ${expected.size} B`);
      continue;
    }
    const parts: Buffer[] = [];
    const keep = entry.size <= KEEP_MAX_BYTES;
    const { sha256, paddingOk } = await streamEntry(handle, entry, keep ? (chunk) => void parts.push(Buffer.from(chunk)) : undefined);
    if (!paddingOk) problems.push(`${entry.name}: the padding after its data is not zero`);
    if (expected && sha256 !== expected.sha256) problems.push(`${entry.name}: SHA-256 ${sha256} differs from the manifest's ${expected.sha256}`);
    else if (keep) files.set(entry.name, Buffer.concat(parts));
  }
  const present = new Set(names);
  for (const f of manifest.files) if (!present.has(f.path)) problems.push(`${f.path}: listed in the manifest but missing from the image`);
  return { problems, files };
}

function failed(...problems: string[]): BundleReport {
  return { ok: false, problems, files: new Map() };
}
