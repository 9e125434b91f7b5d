// Read a pulled manifest as an Exo image artifact, trusting none of it: the
// registry (or whoever wrote to it) chose every byte. Each layer must be a
// file with a plain relative title, no title may repeat or sit inside
// another file, and the sizes must be ones a disk can hold. Whether the
// files are the signed ones is decided later, by verifying the folder they
// make; this only keeps the download itself harmless.
import { ExoError } from "../errors.ts";
import { IMAGE_MANIFEST_FILE } from "../image/image-manifest.ts";
import { isSafeEntryName } from "../image/tar-read.ts";
import { IMAGE_ARTIFACT_TYPE, IMAGE_MANIFEST_TYPE, OCI_MANIFEST, TITLE } from "./image-artifact.ts";

/** More than this, in one file or in all, is refused before anything is downloaded. */
export const IMAGE_MAX_BYTES = 32 * 2 ** 30;
export const IMAGE_MAX_FILES = 10_000;

export interface PulledLayer {
  readonly title: string;
  readonly digest: string;
  readonly size: number;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The layers to download, sorted by title; an ExoError naming every problem when it is not an Exo image. */
export function readImageArtifact(bytes: Uint8Array, where: string): PulledLayer[] {
  let manifest: unknown;
  try {
    manifest = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {
    throw notAnImage(where, ["its manifest is not JSON"]);
  }
  if (!isObject(manifest)) throw notAnImage(where, ["its manifest is not a JSON object"]);
  const config = isObject(manifest.config) ? manifest.config : {};
  const type = manifest.artifactType ?? config.mediaType;
  if (manifest.mediaType !== OCI_MANIFEST || type !== IMAGE_ARTIFACT_TYPE || config.mediaType !== IMAGE_MANIFEST_TYPE) {
    throw notAnImage(where, [`it is a ${String(manifest.mediaType ?? "manifest without a media type")} of artifact type ${String(type ?? "none")}, not an ${IMAGE_ARTIFACT_TYPE} (${OCI_MANIFEST})`]);
  }
  if (!Array.isArray(manifest.layers)) throw notAnImage(where, ["it has no layers"]);
  if (manifest.layers.length > IMAGE_MAX_FILES) throw notAnImage(where, [`${manifest.layers.length} layers, more than the ${IMAGE_MAX_FILES} an image may have`]);

  const problems: string[] = [];
  const layers: PulledLayer[] = [];
  const titles = new Set<string>();
  let total = 0;
  manifest.layers.forEach((layer: unknown, i: number) => {
    const d = isObject(layer) ? layer : {};
    const title = isObject(d.annotations) ? d.annotations[TITLE] : undefined;
    const name = typeof title === "string" ? title : `layer ${i}`;
    if (typeof title !== "string") return problems.push(`layer ${i}: no ${TITLE} annotation names its file`);
    if (!isSafeEntryName(title)) return problems.push(`${JSON.stringify(title).slice(0, 200)}: not a plain relative path`);
    if (titles.has(title)) return problems.push(`${title}: named by two layers`);
    titles.add(title);
    if (typeof d.digest !== "string" || !DIGEST.test(d.digest)) return problems.push(`${name}: its digest is not a sha256 digest`);
    if (typeof d.size !== "number" || !Number.isSafeInteger(d.size) || d.size < 0) return problems.push(`${name}: its size is not a whole number of bytes`);
    total += d.size;
    if (d.size > IMAGE_MAX_BYTES) return problems.push(`${name}: ${d.size} B, more than the ${IMAGE_MAX_BYTES} B a file of an image may have`);
    layers.push({ title, digest: d.digest, size: d.size });
  });
  if (total > IMAGE_MAX_BYTES) problems.push(`${total} B in all, more than the ${IMAGE_MAX_BYTES} B an image may have`);
  // A file cannot also be a folder: `kernel` and `kernel/boot/kernel.elf` cannot both be written.
  for (const title of titles) {
    const parts = title.split("/");
    for (let n = 1; n < parts.length; n++) {
      const folder = parts.slice(0, n).join("/");
      if (titles.has(folder)) problems.push(`${title}: inside ${folder}, which another layer makes a file`);
    }
  }
  const own = layers.find((l) => l.title === IMAGE_MANIFEST_FILE);
  if (!own) problems.push(`${IMAGE_MANIFEST_FILE}: no layer holds the image manifest`);
  else if (own.digest !== config.digest) problems.push(`${IMAGE_MANIFEST_FILE}: the layer differs from the manifest's config`);
  if (problems.length) throw notAnImage(where, problems);
  return layers.sort((a, b) => (a.title < b.title ? -1 : a.title > b.title ? 1 : 0));
}

/** Problems listed in an error; a hostile manifest could have thousands. */
const MAX_LISTED = 20;

function notAnImage(where: string, problems: readonly string[]): ExoError {
  const listed = problems.slice(0, MAX_LISTED).map((p) => `  - ${p}`);
  if (problems.length > MAX_LISTED) listed.push(`  - and ${problems.length - MAX_LISTED} more`);
  return new ExoError(
    "ERR_EXO_IMAGE_INVALID",
    `${where} is not an Exo image:\n${listed.join("\n")}`,
    "pull an image pushed by `exo push`; `skopeo inspect --raw` shows what the reference holds",
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
