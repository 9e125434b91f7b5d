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
  /** A detached signature, used when the image carries none of its own (ISO and raw images signed after they were built). */
  readonly signature?: Uint8Array;
  /** The image carries only some of the manifest's files (the `kernel` format). */
  readonly subset?: boolean;
}

export interface SignedCheck<T> {
  readonly value?: T;
  readonly keyId?: string;
  readonly algorithm?: string;
  readonly problems: readonly string[];
}

/**
 * A signed JSON document: the signature by a trusted key is checked first,
 * on the exact bytes, and only then is the document parsed against its
 * schema. Problems name the file.
 */
export function checkSigned<T>(
  data: Uint8Array | undefined,
  signatureData: Uint8Array | undefined,
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
  names: { readonly file: string; readonly signature: string },
  trusted: readonly PublicKey[],
): SignedCheck<T> {
  const problems: string[] = [];
  if (!data) problems.push(`${names.file}: missing`);
  if (!signatureData) problems.push(`${names.signature}: missing: the image is unsigned (sign it with \`exo sign\`)`);
  const signature = signatureData ? parseJson(signatureData, signatureSchema, names.signature, problems) : undefined;
  let key: { keyId: string; algorithm: string } | undefined;
  if (data && signature) {
    const check = checkSignature(data, signature, trusted);
    if (check.ok) key = { keyId: check.key.keyId, algorithm: signature.algorithm };
    else problems.push(`${names.signature}: ${check.reason.replace(MANIFEST_FILE, names.file)}`);
  }
  // An unsigned document is still read (exo sign checks files against it); a wrongly signed one is not.
  const value = data && (key || !signatureData) ? parseJson(data, schema, names.file, problems) : undefined;
  return { problems, ...(value !== undefined ? { value } : {}), ...(key ?? {}) };
}

export function verifyFiles(files: ReadonlyMap<string, Uint8Array>, trusted: readonly PublicKey[], opts: VerifyOptions = {}): ImageReport {
  const signed = checkSigned(files.get(MANIFEST_FILE), files.get(SIGNATURE_FILE) ?? opts.signature, manifestSchema, { file: MANIFEST_FILE, signature: SIGNATURE_FILE }, trusted);
  const problems = [...signed.problems];
  const manifest = signed.value;
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
    ...(signed.keyId ? { keyId: signed.keyId, algorithm: signed.algorithm! } : {}),
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
