// The `bundle` image: a deterministic tar of the image files, the manifest
// that lists their hashes, and the manifest's signature.
import { sha256Hex } from "../../store/hash.ts";
import type { PublicKey, SecretKey } from "../sign/keys.ts";
import { checkSignature, signatureSchema, signManifest } from "../sign/signature.ts";
import { makeManifest, type Manifest, manifestBytes, type ManifestFile, manifestSchema } from "./manifest.ts";
import { packTar, type TarEntry, unpackTar } from "./tar.ts";

export const MANIFEST_FILE = "manifest.json";
export const SIGNATURE_FILE = "manifest.sig";

export async function writeBundle(
  head: Omit<Manifest, "schema" | "files">,
  files: readonly ManifestFile[],
  key: SecretKey,
  mtimeSeconds: number,
): Promise<Buffer> {
  const manifest = manifestBytes(makeManifest(head, files));
  const signature = Buffer.from(`${JSON.stringify(signManifest(manifest, key), null, 2)}\n`);
  return packTar(
    [
      ...files.map((f) => ({ name: f.path, data: f.data })),
      { name: MANIFEST_FILE, data: manifest },
      { name: SIGNATURE_FILE, data: signature },
    ],
    mtimeSeconds,
  );
}

export interface BundleReport {
  readonly ok: boolean;
  /** Every problem found, each naming the file it concerns. */
  readonly problems: readonly string[];
  readonly manifest?: Manifest;
  readonly keyId?: string;
  readonly entries: readonly TarEntry[];
}

/** Check a bundle completely: archive form, signature, and every file's hash and size. */
export async function verifyBundle(bytes: Uint8Array, trusted: readonly PublicKey[]): Promise<BundleReport> {
  const problems: string[] = [];
  let unpacked;
  try {
    unpacked = await unpackTar(bytes);
  } catch (e) {
    return { ok: false, problems: [`bundle: not a readable tar archive (${e instanceof Error ? e.message : String(e)})`], entries: [] };
  }
  const entries = new Map(unpacked.entries.map((e) => [e.name, e.data] as const));
  const manifestData = entries.get(MANIFEST_FILE);
  const signatureData = entries.get(SIGNATURE_FILE);
  if (!manifestData) problems.push(`${MANIFEST_FILE}: missing from the bundle`);
  if (!signatureData) problems.push(`${SIGNATURE_FILE}: missing from the bundle`);

  const manifest = manifestData ? parseJson(manifestData, manifestSchema, MANIFEST_FILE, problems) : undefined;
  const signature = signatureData ? parseJson(signatureData, signatureSchema, SIGNATURE_FILE, problems) : undefined;
  let keyId: string | undefined;
  if (manifestData && signature) {
    const check = checkSignature(manifestData, signature, trusted);
    if (check.ok) keyId = check.key.keyId;
    else problems.push(`${SIGNATURE_FILE}: ${check.reason}`);
  }
  if (manifest) {
    for (const file of manifest.files) {
      const data = entries.get(file.path);
      if (!data) problems.push(`${file.path}: listed in the manifest but missing from the bundle`);
      else if (data.length !== file.size) problems.push(`${file.path}: size ${data.length} B, the manifest says ${file.size} B`);
      else if (sha256Hex(data) !== file.sha256) problems.push(`${file.path}: SHA-256 ${sha256Hex(data)} differs from the manifest's ${file.sha256}`);
    }
    const listed = new Set([MANIFEST_FILE, SIGNATURE_FILE, ...manifest.files.map((f) => f.path)]);
    for (const name of entries.keys()) if (!listed.has(name)) problems.push(`${name}: in the bundle but not in the manifest`);
  }
  // The archive itself must be in canonical form, so no byte anywhere (headers included) can change unnoticed.
  const canonical = await packTar(unpacked.entries, unpacked.mtimeSeconds);
  if (!canonical.equals(Buffer.from(bytes))) {
    problems.push(`bundle: the archive is not in canonical form (first difference at byte ${firstDifference(canonical, bytes)})`);
  }
  return { ok: problems.length === 0, problems, ...(manifest ? { manifest } : {}), ...(keyId ? { keyId } : {}), entries: unpacked.entries };
}

function parseJson<T>(data: Uint8Array, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, name: string, problems: string[]): T | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(data).toString("utf8"));
  } catch {
    problems.push(`${name}: not valid JSON`);
    return undefined;
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    problems.push(`${name}: does not follow its schema`);
    return undefined;
  }
  return parsed.data;
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}
