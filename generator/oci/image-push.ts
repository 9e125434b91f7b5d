// Push a checked image folder as one OCI artifact (image-artifact.ts). The
// order keeps a half-finished push invisible: the blobs first (each skipped
// when the registry holds it), then the manifest by its digest, then the
// referrers, and the tag last, so a tag never names an image whose parts
// are missing. A push interrupted anywhere is completed by pushing again.
import { join } from "node:path";
import { IMAGE_MANIFEST_FILE, IMAGE_SIGNATURE_FILE, MANIFEST_MAX_BYTES, SIGNATURE_MAX_BYTES } from "../image/image-manifest.ts";
import type { ImageCheck } from "../image/read.ts";
import { readSmallFile } from "../image/safe-read.ts";
import { digestOf, EMPTY_CONFIG, type ImageFile, imageArtifact, OCI_MANIFEST, REFERRER_FILES, referrerArtifact } from "./image-artifact.ts";
import { RegistryError } from "./errors.ts";
import type { Registry } from "./registry.ts";

export interface PushedImage {
  readonly digest: string;
  /** Files of the folder, each a layer. */
  readonly files: number;
  /** Bytes of the blobs sent; a blob the registry held costs nothing. */
  readonly bytesSent: number;
  readonly blobsSent: number;
  readonly blobsSkipped: number;
  readonly referrers: readonly { readonly artifactType: string; readonly digest: string }[];
}

type BlobSource = Buffer | { readonly file: string; readonly size: number };

/**
 * `check` is the verified check of `folder` (checkImage): its image.json
 * lists every other file's SHA-256 and size, which become the layers'
 * digests, so the big files are read only to be sent, and the registry
 * refuses any whose bytes changed since.
 */
export async function pushImage(registry: Registry, folder: string, check: ImageCheck, tag: string | undefined): Promise<PushedImage> {
  const image = check.image;
  if (!check.ok || !image) throw new Error("pushImage needs an image that passed verification");
  // What is pushed is verified again by every puller: these two are read once, and sent as read.
  const imageJson = await readSmallFile(join(folder, IMAGE_MANIFEST_FILE), IMAGE_MANIFEST_FILE, MANIFEST_MAX_BYTES);
  const signature = await readSmallFile(join(folder, IMAGE_SIGNATURE_FILE), IMAGE_SIGNATURE_FILE, SIGNATURE_MAX_BYTES);
  const small = new Map<string, Buffer>([[digestOf(imageJson), imageJson], [digestOf(signature), signature], [digestOf(EMPTY_CONFIG), EMPTY_CONFIG]]);
  const files: ImageFile[] = [
    ...image.files,
    { path: IMAGE_MANIFEST_FILE, sha256: digestOf(imageJson).slice("sha256:".length), size: imageJson.length },
    { path: IMAGE_SIGNATURE_FILE, sha256: digestOf(signature).slice("sha256:".length), size: signature.length },
  ];
  const artifact = imageArtifact(imageJson, files, image);

  const blobs = new Map<string, BlobSource>();
  for (const f of files) blobs.set(`sha256:${f.sha256}`, small.get(`sha256:${f.sha256}`) ?? { file: join(folder, f.path), size: f.size });
  blobs.set(digestOf(EMPTY_CONFIG), EMPTY_CONFIG);
  let bytesSent = 0;
  let blobsSent = 0;
  for (const [digest, source] of [...blobs].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const sent = await registry.pushBlob(source, digest);
    bytesSent += sent;
    if (sent > 0) blobsSent++;
  }

  await putManifest(registry, artifact.digest, artifact.bytes);
  const referrers = [];
  for (const { path, artifactType } of REFERRER_FILES) {
    const file = files.find((f) => f.path === path);
    if (!file) continue;
    const referrer = referrerArtifact(artifact.descriptor, artifactType, file);
    await putManifest(registry, referrer.digest, referrer.bytes);
    await registry.addReferrer(artifact.digest, { ...referrer.descriptor, artifactType });
    referrers.push({ artifactType, digest: referrer.digest });
  }
  if (tag !== undefined) await putManifest(registry, tag, artifact.bytes);
  return { digest: artifact.digest, files: files.length, bytesSent, blobsSent, blobsSkipped: blobs.size - blobsSent, referrers };
}

/** The registry names a manifest by the digest of the bytes it stored: they must be the bytes sent. */
async function putManifest(registry: Registry, reference: string, bytes: Buffer): Promise<void> {
  const digest = await registry.putManifest(reference, bytes, OCI_MANIFEST);
  if (digest !== digestOf(bytes)) {
    throw new RegistryError(`${registry.name}: the manifest pushed as ${reference} was stored as ${digest}, not ${digestOf(bytes)}`, "the registry rewrote the manifest; push to a registry that stores manifests as sent");
  }
}
