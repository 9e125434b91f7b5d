// Sign and check manifests. Signing is deterministic (no extra entropy), so
// the same manifest and key give the same bytes and images stay reproducible.
import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";
import { z } from "zod";
import type { PublicKey, SecretKey } from "./keys.ts";
import { SIGNATURE_ALGORITHM } from "./keys.ts";

export const SIGNATURE_SCHEMA = "exo.signature/v1";
/** Domain separation: a signature over a manifest is valid for nothing else. */
const CONTEXT = new TextEncoder().encode("exo.manifest/v1");

export const signatureSchema = z.strictObject({
  schema: z.literal(SIGNATURE_SCHEMA),
  algorithm: z.literal(SIGNATURE_ALGORITHM),
  keyId: z.string(),
  signature: z.base64(),
});
export type SignatureFile = z.infer<typeof signatureSchema>;

export function signManifest(manifest: Uint8Array, key: SecretKey): SignatureFile {
  const signature = ml_dsa65.sign(manifest, key.secretKey, { context: CONTEXT, extraEntropy: false });
  return { schema: SIGNATURE_SCHEMA, algorithm: SIGNATURE_ALGORITHM, keyId: key.keyId, signature: Buffer.from(signature).toString("base64") };
}

export type SignatureCheck =
  | { readonly ok: true; readonly key: PublicKey }
  | { readonly ok: false; readonly reason: string };

export function checkSignature(manifest: Uint8Array, sig: SignatureFile, trusted: readonly PublicKey[]): SignatureCheck {
  const key = trusted.find((k) => k.keyId === sig.keyId);
  if (!key) return { ok: false, reason: `signed by key ${sig.keyId}, which is not among the trusted keys (${trusted.map((k) => k.keyId).join(", ") || "none"})` };
  const valid = ml_dsa65.verify(Buffer.from(sig.signature, "base64"), manifest, key.publicKey, { context: CONTEXT });
  return valid ? { ok: true, key } : { ok: false, reason: `the ${SIGNATURE_ALGORITHM} signature by key ${sig.keyId} does not match manifest.json` };
}
