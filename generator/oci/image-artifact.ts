// A signed image folder as one OCI artifact: an OCI image manifest whose
// config is the signed image manifest (image.json) and whose layers are the
// folder's files, one each, titled with their relative path as ORAS does
// (so `oras pull` recreates the folder). Nothing in it depends on when or
// where it was pushed: the same image gives the same manifest digest in
// every registry. The SBOM and the signature are also attached as
// referrers (manifests whose `subject` is the image's), as OCI tools
// expect to find them.
import { sha256Hex } from "../../store/hash.ts";
import { IMAGE_MANIFEST_FILE, IMAGE_SIGNATURE_FILE } from "../image/image-manifest.ts";
import { ISO_FILE } from "../image/iso.ts";
import { MANIFEST_FILE, SIGNATURE_FILE } from "../image/manifest.ts";
import { RAW_FILE } from "../image/raw.ts";
import { SBOM_FILE } from "../image/sbom.ts";
import type { Descriptor } from "./registry.ts";

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const IMAGE_ARTIFACT_TYPE = "application/vnd.exo.image.v1";
export const IMAGE_MANIFEST_TYPE = "application/vnd.exo.image.manifest.v1+json";
export const SIGNATURE_TYPE = "application/vnd.exo.signature.v1+json";
export const SBOM_TYPE = "application/spdx+json";
/** The ORAS convention: a layer's file name relative to the folder it is pulled into. */
export const TITLE = "org.opencontainers.image.title";
/** OCI 1.1's config for artifacts that have none: the two bytes `{}`. */
export const EMPTY_CONFIG = Buffer.from("{}");
const EMPTY_DESCRIPTOR: Descriptor = { mediaType: "application/vnd.oci.empty.v1+json", digest: digestOf(EMPTY_CONFIG), size: EMPTY_CONFIG.length };

/** The manifest annotations that say what the image is, read from the signed image.json. */
export const ANNOTATION_SYSTEM = "vnd.exo.image.system";
export const ANNOTATION_ARCH = "vnd.exo.image.arch";
export const ANNOTATION_VERSION = "vnd.exo.image.version";
export const ANNOTATION_CONFIG_HASH = "vnd.exo.image.config-hash";

export interface ImageFile {
  /** Relative to the image folder, `/`-separated. */
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
}

export interface ImageHead {
  readonly system: string;
  readonly arch: string;
  readonly version: number;
  readonly configHash: string;
}

export interface ArtifactManifest {
  readonly bytes: Buffer;
  readonly digest: string;
  readonly descriptor: Descriptor;
}

export function digestOf(data: Uint8Array): string {
  return `sha256:${sha256Hex(data)}`;
}

/** What a file is, by its place in the folder; unknown files are plain bytes. */
export function layerMediaType(path: string): string {
  if (path === IMAGE_MANIFEST_FILE) return IMAGE_MANIFEST_TYPE;
  if (path === IMAGE_SIGNATURE_FILE || path === SIGNATURE_FILE) return SIGNATURE_TYPE;
  if (path === MANIFEST_FILE) return "application/vnd.exo.manifest.v2+json";
  if (path === SBOM_FILE) return SBOM_TYPE;
  if (path === "bundle.tar") return "application/vnd.exo.image.bundle.v1.tar";
  if (path === ISO_FILE) return "application/vnd.exo.image.iso.v1";
  if (path === RAW_FILE) return "application/vnd.exo.image.raw.v1";
  if (path.startsWith("kernel/")) return "application/vnd.exo.image.kernel.v1";
  return "application/octet-stream";
}

export function layerOf(file: ImageFile): Descriptor {
  return { mediaType: layerMediaType(file.path), digest: `sha256:${file.sha256}`, size: file.size, annotations: { [TITLE]: file.path } };
}

function serialise(manifest: object): ArtifactManifest {
  const bytes = Buffer.from(JSON.stringify(manifest));
  const digest = digestOf(bytes);
  return { bytes, digest, descriptor: { mediaType: OCI_MANIFEST, digest, size: bytes.length } };
}

/**
 * The image's manifest: config = image.json's bytes, a layer per file
 * (image.json and its signature among them), sorted by path. Keys are
 * written in one fixed order, so the bytes are a function of the image.
 */
export function imageArtifact(imageJson: Uint8Array, files: readonly ImageFile[], head: ImageHead): ArtifactManifest {
  const layers = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).map(layerOf);
  return serialise({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: IMAGE_ARTIFACT_TYPE,
    config: { mediaType: IMAGE_MANIFEST_TYPE, digest: digestOf(imageJson), size: imageJson.length },
    layers,
    annotations: {
      [ANNOTATION_SYSTEM]: head.system,
      [ANNOTATION_ARCH]: head.arch,
      [ANNOTATION_VERSION]: String(head.version),
      [ANNOTATION_CONFIG_HASH]: head.configHash,
    },
  });
}

/** A referrer of the image: one file of it (the SBOM, the signature) in a manifest whose subject is the image. */
export function referrerArtifact(subject: Descriptor, artifactType: string, file: ImageFile): ArtifactManifest {
  return serialise({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType,
    config: EMPTY_DESCRIPTOR,
    layers: [layerOf(file)],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
  });
}

/** The referrers an image has: its SBOM and its signature, each when the folder holds it. */
export const REFERRER_FILES: readonly { readonly path: string; readonly artifactType: string }[] = [
  { path: SBOM_FILE, artifactType: SBOM_TYPE },
  { path: IMAGE_SIGNATURE_FILE, artifactType: SIGNATURE_TYPE },
];
