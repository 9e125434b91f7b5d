// The signed records a binary cache holds beside each archive. A path
// record says what a store path is (its name, references, size and the
// digest of its archive); a realisation says which path a derivation key
// builds. Both are canonical JSON signed with the project's key, checked
// against the keys trusted for the cache they came from, before anything
// they name is downloaded.
import { z } from "zod";
import { canonicalJson } from "../../store/hash.ts";
import type { PublicKey, SecretKey } from "../sign/keys.ts";
import { checkSignature, signatureBytes, signatureSchema, signManifest } from "../sign/signature.ts";

export const PATH_RECORD_SCHEMA = "exo.path-record/v1";
export const REALISATION_SCHEMA = "exo.realisation/v1";

/** `<32 hex>-<name>`, as store/store.ts names paths: never a slash, never `..`. */
export const STORE_PATH_NAME = /^[0-9a-f]{32}-[A-Za-z0-9._+-]{1,200}$/;
const storePathName = z.string().regex(STORE_PATH_NAME, "expected a store path name <32 hex>-<name>");
const digest = z.string().regex(/^sha256:[0-9a-f]{64}$/, "expected sha256:<64 hex>");
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const pathRecordSchema = z.strictObject({
  schema: z.literal(PATH_RECORD_SCHEMA),
  path: storePathName,
  /** A directory, or one file (its archive then holds the single entry `file`). */
  type: z.enum(["directory", "file"]),
  archive: z.strictObject({ digest, size: count }),
  references: z.array(storePathName).max(100_000),
  /** Bytes of all its files, and how many there are. */
  size: count,
  files: count,
});
export type PathRecord = z.infer<typeof pathRecordSchema>;

export const realisationSchema = z.strictObject({
  schema: z.literal(REALISATION_SCHEMA),
  key: z.string().regex(/^[0-9a-f]{64}$/, "expected a derivation key of 64 hex digits"),
  path: storePathName,
});
export type Realisation = z.infer<typeof realisationSchema>;

export interface SignedRecord {
  /** The record's canonical JSON: what is signed, and the config blob of its OCI manifest. */
  readonly bytes: Buffer;
  /** The signature file (exo.signature/v1) over `bytes`. */
  readonly signature: Buffer;
}

export function signRecord(record: PathRecord | Realisation, key: SecretKey): SignedRecord {
  const bytes = Buffer.from(canonicalJson(record));
  return { bytes, signature: signatureBytes(signManifest(bytes, key)) };
}

/** Why a record from a cache is refused; the caller names the cache and the path. */
export class RecordRefused extends Error {}

/** Check the signature first, then the shape: nothing of an unsigned record is read. */
export function openRecord<T>(schema: z.ZodType<T>, signed: SignedRecord, trusted: readonly PublicKey[]): T {
  let signature;
  try {
    signature = signatureSchema.parse(JSON.parse(signed.signature.toString("utf8")));
  } catch {
    throw new RecordRefused("its signature is not an exo.signature/v1 file");
  }
  const check = checkSignature(signed.bytes, signature, trusted, "its record");
  if (!check.ok) throw new RecordRefused(check.reason);
  let value: unknown;
  try {
    value = JSON.parse(signed.bytes.toString("utf8"));
  } catch {
    throw new RecordRefused("its signed record is not JSON");
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new RecordRefused(`its signed record is malformed: ${parsed.error.issues[0]!.path.join(".") || "(top)"}: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}
