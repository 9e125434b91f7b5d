// Sign and check manifests. One signature file holds one signature by one
// key, named by its id, so that verification can say which key signed and
// a key is rotated by trusting the new one, re-signing, and retiring the old.
import { z } from "zod";
import { ALGORITHM_NAMES, ALGORITHMS } from "./algorithms.ts";
import type { PublicKey, SecretKey } from "./keys.ts";

export const SIGNATURE_SCHEMA = "exo.signature/v1";

export const signatureSchema = z.strictObject({
  schema: z.literal(SIGNATURE_SCHEMA),
  algorithm: z.enum(ALGORITHM_NAMES),
  keyId: z.string(),
  signature: z.base64(),
});
export type SignatureFile = z.infer<typeof signatureSchema>;

export function signManifest(manifest: Uint8Array, key: SecretKey): SignatureFile {
  const signature = ALGORITHMS[key.algorithm].sign(manifest, key.secretKey);
  return { schema: SIGNATURE_SCHEMA, algorithm: key.algorithm, keyId: key.keyId, signature: Buffer.from(signature).toString("base64") };
}

/** The bytes of a signature file: pretty JSON and a newline. */
export function signatureBytes(sig: SignatureFile): Buffer {
  return Buffer.from(`${JSON.stringify(sig, null, 2)}\n`);
}

export type SignatureCheck =
  | { readonly ok: true; readonly key: PublicKey }
  | { readonly ok: false; readonly reason: string };

/** `what` names the signed bytes in the reason given when they do not match. */
export function checkSignature(manifest: Uint8Array, sig: SignatureFile, trusted: readonly PublicKey[], what = "manifest.json"): SignatureCheck {
  const key = trusted.find((k) => k.keyId === sig.keyId);
  if (!key) return { ok: false, reason: `signed by key ${sig.keyId}, which is not among the trusted keys (${trusted.map((k) => k.keyId).join(", ") || "none"})` };
  if (key.algorithm !== sig.algorithm) return { ok: false, reason: `signed with ${sig.algorithm}, but trusted key ${key.keyId} is ${key.algorithm}` };
  const valid = ALGORITHMS[key.algorithm].verify(Buffer.from(sig.signature, "base64"), manifest, key.publicKey);
  return valid ? { ok: true, key } : { ok: false, reason: `the ${sig.algorithm} signature by key ${sig.keyId} does not match ${what}` };
}
