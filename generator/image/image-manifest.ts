// The image manifest (image.json, signed in image.sig): every byte of every
// format. The payload manifest inside the images covers the files they
// carry, but not the bytes around them (an ISO's system area and El Torito
// catalog, a disk's MBR and the gap after it, a tar's headers), and it
// cannot list the containers that hold it. This one sits beside them and
// lists each container's SHA-256 and size, each file of the kernel folder,
// the payload manifest it vouches for, and the older generations the boot
// menus carry, so a verifier hashes a whole container before it opens it.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { canonicalJson, sha256Hex } from "../../store/hash.ts";
import type { SecretKey } from "../sign/keys.ts";
import { signatureBytes, signManifest } from "../sign/signature.ts";
import type { Manifest } from "./manifest.ts";
import { hashFile, listTree } from "./safe-read.ts";

export const IMAGE_MANIFEST_SCHEMA = "exo.image/v1";
export const IMAGE_MANIFEST_FILE = "image.json";
export const IMAGE_SIGNATURE_FILE = "image.sig";
/** Larger manifests and signatures than these are refused unread. */
export const MANIFEST_MAX_BYTES = 4 << 20;
export const SIGNATURE_MAX_BYTES = 256 << 10;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const imageManifestSchema = z.strictObject({
  schema: z.literal(IMAGE_MANIFEST_SCHEMA),
  system: z.string(),
  arch: z.string(),
  configHash: sha256,
  version: z.number().int().min(0),
  created: z.number().int().min(0),
  expires: z.number().int().min(0).nullable(),
  /** The payload manifest (manifest.json) every format carries. */
  payloadManifest: z.strictObject({ sha256, size: z.number().int().min(0) }),
  /** Every file beside this one: the containers, each file of kernel/, and the top-level copies; sorted by path. */
  files: z.array(z.strictObject({ path: z.string(), sha256, size: z.number().int().min(0) })),
  /** Older generations the iso and raw boot menus carry, by number: each one's version and payload manifest. */
  generations: z.array(z.strictObject({ number: z.number().int().min(1), version: z.number().int().min(0), manifestSha256: sha256 })),
});
export type ImageManifest = z.infer<typeof imageManifestSchema>;
export type CarriedGeneration = ImageManifest["generations"][number];

/**
 * Write image.json for the image folder `dir` (and image.sig when a key is
 * given): the head comes from the payload manifest, the files are hashed as
 * they are now.
 */
export async function sealImage(dir: string, payload: { manifest: Manifest; bytes: Uint8Array }, generations: readonly CarriedGeneration[], key?: SecretKey): Promise<void> {
  const { files: names } = await listTree(dir);
  const files = [];
  for (const path of names) {
    if (path === IMAGE_MANIFEST_FILE || path === IMAGE_SIGNATURE_FILE) continue;
    files.push({ path, ...(await hashFile(join(dir, path), path)) });
  }
  const { system, arch, configHash, version, created, expires } = payload.manifest;
  const manifest: ImageManifest = {
    schema: IMAGE_MANIFEST_SCHEMA,
    system,
    arch,
    configHash,
    version,
    created,
    expires,
    payloadManifest: { sha256: sha256Hex(payload.bytes), size: payload.bytes.length },
    files,
    generations: [...generations].sort((a, b) => a.number - b.number),
  };
  const bytes = Buffer.from(`${canonicalJson(manifest)}\n`);
  await writeFile(join(dir, IMAGE_MANIFEST_FILE), bytes);
  if (key) await writeFile(join(dir, IMAGE_SIGNATURE_FILE), signatureBytes(signManifest(bytes, key)));
}
