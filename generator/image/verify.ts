// Verify the files an image carries against its signed manifest: the
// signature by a trusted key, then every file's size and SHA-256, and no
// file the manifest does not list. Each problem names the file.
import { sha256Hex } from "../../store/hash.ts";
import type { PublicKey } from "../sign/keys.ts";
import { checkSignature, signatureSchema } from "../sign/signature.ts";
import { type Manifest, MANIFEST_FILE, manifestSchema, SIGNATURE_FILE } from "./manifest.ts";

export interface ImageReport {
  readonly ok: boolean;
  readonly problems: readonly string[];
  readonly manifest?: Manifest;
  readonly keyId?: string;
  readonly algorithm?: string;
}

export interface VerifyOptions {
  /** A detached signature, for images signed after they were built (`exo sign`). */
  readonly signature?: Uint8Array;
  /** The image carries only some of the manifest's files (the `kernel` format). */
  readonly subset?: boolean;
}

export function verifyFiles(files: ReadonlyMap<string, Uint8Array>, trusted: readonly PublicKey[], opts: VerifyOptions = {}): ImageReport {
  const problems: string[] = [];
  const manifestData = files.get(MANIFEST_FILE);
  const signatureData = opts.signature ?? files.get(SIGNATURE_FILE);
  if (!manifestData) problems.push(`${MANIFEST_FILE}: missing`);
  if (!signatureData) problems.push(`${SIGNATURE_FILE}: missing: the image is unsigned (sign it with \`exo sign\`)`);
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
      const data = files.get(file.path);
      if (!data) {
        if (!opts.subset) problems.push(`${file.path}: listed in the manifest but missing from the image`);
      } else if (data.length !== file.size) problems.push(`${file.path}: size ${data.length} B, the manifest says ${file.size} B`);
      else if (sha256Hex(data) !== file.sha256) problems.push(`${file.path}: SHA-256 ${sha256Hex(data)} differs from the manifest's ${file.sha256}`);
    }
    const listed = new Set([MANIFEST_FILE, SIGNATURE_FILE, ...manifest.files.map((f) => f.path)]);
    for (const name of [...files.keys()].sort()) if (!listed.has(name)) problems.push(`${name}: in the image but not in the manifest`);
  }
  return {
    ok: problems.length === 0,
    problems,
    ...(manifest ? { manifest } : {}),
    ...(keyId ? { keyId, algorithm: signature!.algorithm } : {}),
  };
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
