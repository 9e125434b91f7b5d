// The media types exo reads and writes, and OCI image indexes as lists of
// descriptors: the shape of a fallback referrers index and of the
// referrers API's answer. An index comes from the registry, so each
// descriptor is checked before it is believed.
import { RegistryError } from "./errors.ts";
import { isSha256Digest } from "./reference.ts";
import type { Descriptor } from "./registry.ts";

export const MEDIA_TYPES = {
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  /** What a manifest GET accepts: without these a registry may convert or refuse. */
  accept: [
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
  ].join(", "),
} as const;

/** RFC 6838 type/subtype, as descriptors carry them. */
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

/**
 * The descriptors of an OCI image index. Entries with a digest other than sha256 are
 * left out (exo names everything by sha256); anything malformed is an error naming `what`.
 */
export function parseIndex(bytes: Buffer, what: string): Descriptor[] {
  let data: unknown;
  try {
    data = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw malformed(what, "it is not JSON");
  }
  if (!isRecord(data)) throw malformed(what, "it is not a JSON object");
  const manifests = own(data, "manifests");
  if (manifests === undefined) return [];
  if (!Array.isArray(manifests)) throw malformed(what, "`manifests` is not a list");
  const found: Descriptor[] = [];
  for (const [i, entry] of manifests.entries()) {
    const d = parseDescriptor(entry, () => malformed(what, `manifests[${i}] is not a valid descriptor`));
    if (d) found.push(d);
  }
  return found;
}

/** A fallback referrers index: its bytes are a function of the descriptors alone. */
export function serialiseIndex(descriptors: readonly Descriptor[]): Buffer {
  const manifests = descriptors.map((d) => ({
    mediaType: d.mediaType,
    digest: d.digest,
    size: d.size,
    ...(d.artifactType !== undefined ? { artifactType: d.artifactType } : {}),
    ...(d.annotations !== undefined ? { annotations: d.annotations } : {}),
  }));
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests }));
}

function parseDescriptor(entry: unknown, bad: () => Error): Descriptor | undefined {
  if (!isRecord(entry)) throw bad();
  const mediaType = own(entry, "mediaType");
  const digest = own(entry, "digest");
  const size = own(entry, "size");
  const artifactType = own(entry, "artifactType");
  const annotations = own(entry, "annotations");
  if (typeof mediaType !== "string" || !MEDIA_TYPE.test(mediaType)) throw bad();
  if (typeof digest !== "string" || !/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(digest)) throw bad();
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) throw bad();
  if (artifactType !== undefined && (typeof artifactType !== "string" || !MEDIA_TYPE.test(artifactType))) throw bad();
  let notes: Record<string, string> | undefined;
  if (annotations !== undefined) {
    if (!isRecord(annotations)) throw bad();
    const pairs = Object.entries(annotations);
    if (pairs.some(([, v]) => typeof v !== "string")) throw bad();
    // fromEntries defines properties: an annotation named __proto__ stays plain data.
    notes = Object.fromEntries(pairs) as Record<string, string>;
  }
  if (!isSha256Digest(digest)) return undefined;
  return { mediaType, digest, size, ...(artifactType !== undefined ? { artifactType } : {}), ...(notes !== undefined ? { annotations: notes } : {}) };
}

function malformed(what: string, problem: string): RegistryError {
  return new RegistryError(`${what} is malformed: ${problem}`, "the registry holds something exo did not write there; delete that tag, or push again");
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}
