// How a binary cache sits in an OCI repository. Every store path is one
// manifest tagged `path-<hash>`: its config blob is the signed path record,
// its layers the archive and the signature. Every derivation key is one
// manifest tagged `drv-<key>`: config the signed realisation, one layer
// the signature, and the path's manifest as its subject. A manifest is put
// only after every blob it names, a path's only after its references', a
// key's only after its path's: a cache that stops mid-push shows nothing
// half-there, and a retry sends only what is missing.
import { canonicalJson } from "../../store/hash.ts";
import type { Descriptor } from "../oci/registry.ts";

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const MEDIA = {
  pathArtifact: "application/vnd.exo.store-path.v1",
  pathRecord: "application/vnd.exo.path-record.v1+json",
  archive: "application/vnd.exo.store-path.v1.tar",
  realisationArtifact: "application/vnd.exo.realisation.v1",
  realisation: "application/vnd.exo.realisation.v1+json",
  signature: "application/vnd.exo.signature.v1+json",
} as const;

/** Tag of a store path's manifest: its hash, which names its content. */
export function pathTag(pathName: string): string {
  return `path-${pathName.slice(0, 32)}`;
}

export function keyTag(key: string): string {
  return `drv-${key}`;
}

interface ManifestParts {
  readonly artifactType: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly subject?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** An OCI image manifest in canonical JSON: the same parts always give the same digest. */
export function manifestBytes(parts: ManifestParts): Buffer {
  return Buffer.from(canonicalJson({ schemaVersion: 2, mediaType: OCI_MANIFEST, ...parts }));
}

export interface ParsedManifest {
  readonly artifactType: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}

/** The parts of a cache manifest, or a reason it is not one. */
export function parseCacheManifest(bytes: Buffer, artifactType: string, layerTypes: readonly string[]): ParsedManifest | string {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString("utf8"));
  } catch {
    return "its manifest is not JSON";
  }
  const m = value as { artifactType?: unknown; config?: unknown; layers?: unknown };
  if (m === null || typeof m !== "object" || m.artifactType !== artifactType) return `its manifest is not an ${artifactType} artifact`;
  if (!isDescriptor(m.config) || !Array.isArray(m.layers) || !m.layers.every(isDescriptor)) return "its manifest's descriptors are malformed";
  const layers = m.layers as Descriptor[];
  if (layers.length !== layerTypes.length || layers.some((l, i) => l.mediaType !== layerTypes[i])) return `its manifest's layers are not ${layerTypes.join(", ")}`;
  return { artifactType, config: m.config, layers };
}

function isDescriptor(d: unknown): d is Descriptor {
  const x = d as Descriptor;
  return (
    x !== null &&
    typeof x === "object" &&
    typeof x.mediaType === "string" &&
    typeof x.digest === "string" &&
    /^sha256:[0-9a-f]{64}$/.test(x.digest) &&
    Number.isSafeInteger(x.size) &&
    x.size >= 0
  );
}
