// Before the big layers of a pulled image are downloaded: its image.json
// must be signed by a trusted key, and every other layer must be a file
// image.json lists, with the same digest and size. So a registry can make
// exo download only what a trusted signer vouched for, and an image from
// an unknown signer costs two small blobs. The folder is still verified
// whole once downloaded, as `exo verify` does.
import type { Acceptance } from "../image/accept.ts";
import { IMAGE_MANIFEST_FILE, IMAGE_SIGNATURE_FILE, imageManifestSchema } from "../image/image-manifest.ts";
import { checkSigned } from "../image/verify.ts";
import type { PublicKey } from "../sign/keys.ts";
import type { PulledLayer } from "./image-layers.ts";

/** The problems, as a refused Acceptance (accept.ts words the error), or undefined when the layers may be downloaded. */
export function precheckLayers(imageJson: Uint8Array | undefined, signature: Uint8Array | undefined, layers: readonly PulledLayer[], trusted: readonly PublicKey[]): Acceptance | undefined {
  const signed = checkSigned(imageJson, signature, imageManifestSchema, { file: IMAGE_MANIFEST_FILE, signature: IMAGE_SIGNATURE_FILE }, trusted);
  const problems = [...signed.problems];
  const image = signed.keyId ? signed.value : undefined;
  if (image) {
    const listed = new Map(image.files.map((f) => [f.path, f] as const));
    for (const layer of layers) {
      if (layer.title === IMAGE_MANIFEST_FILE || layer.title === IMAGE_SIGNATURE_FILE) continue;
      const entry = listed.get(layer.title);
      if (!entry) problems.push(`${layer.title}: in the artifact but not in ${IMAGE_MANIFEST_FILE}`);
      else if (`sha256:${entry.sha256}` !== layer.digest || entry.size !== layer.size) problems.push(`${layer.title}: the layer (${layer.digest}, ${layer.size} B) is not the file ${IMAGE_MANIFEST_FILE} lists`);
    }
    const titles = new Set(layers.map((l) => l.title));
    for (const f of image.files) if (!titles.has(f.path)) problems.push(`${f.path}: listed in ${IMAGE_MANIFEST_FILE} but not in the artifact`);
  } else if (signed.keyId === undefined && signed.problems.length === 0) {
    problems.push(`${IMAGE_SIGNATURE_FILE}: no trusted key signed ${IMAGE_MANIFEST_FILE}`);
  }
  if (problems.length === 0) return undefined;
  return { check: { ok: false, problems, formats: [] }, freshness: [], ok: false };
}
