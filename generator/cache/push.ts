// exo copy --to: push store paths, their closures and the derivation keys
// that built them into an OCI repository. A path the repository already
// has (HEAD on its tag) costs one request; a blob it already has (HEAD on
// its digest) is not sent again.
import { join } from "node:path";
import { closure } from "../../store/closure.ts";
import { sha256Hex } from "../../store/hash.ts";
import { Semaphore } from "../../store/semaphore.ts";
import { removeTree, type Store } from "../../store/store.ts";
import { ExoError } from "../errors.ts";
import type { Descriptor, Registry } from "../oci/registry.ts";
import type { SecretKey } from "../sign/keys.ts";
import { packPath } from "./archive.ts";
import { keyTag, MEDIA, manifestBytes, OCI_MANIFEST, pathTag } from "./layout.ts";
import { PATH_RECORD_SCHEMA, type PathRecord, REALISATION_SCHEMA, signRecord, type SignedRecord } from "./records.ts";

export interface PushSummary {
  /** Paths in the closure, and how many of them were sent (the rest were there). */
  readonly paths: number;
  readonly pathsSent: readonly string[];
  readonly keys: number;
  readonly keysSent: number;
  /** Body bytes uploaded. */
  readonly bytesSent: number;
}

export interface PushOptions {
  readonly onPath?: (path: string, sent: boolean) => void;
}

const PARALLEL = 4;

export async function pushClosure(store: Store, registry: Registry, roots: readonly string[], key: SecretKey, opts: PushOptions = {}): Promise<PushSummary> {
  const paths = await closure(store, roots);
  const sent: string[] = [];
  const before = registry.stats.sent;
  const done = new Map<string, Promise<Descriptor>>();
  const slots = new Semaphore(PARALLEL);

  // References first: a path's manifest appears only once every path it names is complete.
  const pushOne = (name: string): Promise<Descriptor> => {
    let pending = done.get(name);
    if (!pending) {
      pending = (async () => {
        const info = await store.pathInfo(name);
        if (!info) throw new ExoError("ERR_EXO_STORE", `${name} has no meta file in the store`, "run `exo store verify`");
        await Promise.all(info.references.map(pushOne));
        return slots.run(async () => {
          const existing = await registry.manifestDigest(pathTag(name));
          const descriptor = existing ? undefined : await pushPath(store, registry, name, info.references, key);
          if (descriptor) sent.push(name);
          opts.onPath?.(name, descriptor !== undefined);
          return descriptor ?? { mediaType: OCI_MANIFEST, digest: existing!, size: 0, artifactType: MEDIA.pathArtifact };
        });
      })();
      done.set(name, pending);
    }
    return pending;
  };
  const descriptors = new Map<string, Descriptor>();
  for (const name of [...paths].sort()) descriptors.set(name, await pushOne(name));

  // Then the keys: a substituter that finds one finds its whole closure.
  const keys = await store.keysFor(paths);
  let keysSent = 0;
  await Promise.all(
    keys.map(({ key: drvKey, path }) =>
      slots.run(async () => {
        if (await registry.manifestDigest(keyTag(drvKey))) return;
        const record = signRecord({ schema: REALISATION_SCHEMA, key: drvKey, path }, key);
        const subject = await subjectOf(registry, path, descriptors.get(path)!);
        await putSigned(registry, keyTag(drvKey), MEDIA.realisationArtifact, MEDIA.realisation, record, [], subject);
        keysSent++;
      }),
    ),
  );
  return { paths: paths.size, pathsSent: sent.sort(), keys: keys.length, keysSent, bytesSent: registry.stats.sent - before };
}

async function pushPath(store: Store, registry: Registry, name: string, references: readonly string[], key: SecretKey): Promise<Descriptor> {
  const scratch = await store.scratch();
  try {
    const file = join(scratch, "archive.tar");
    const packed = await packPath(store.pathOf(name), file);
    await registry.pushBlob({ file, size: packed.size }, packed.digest);
    const record: PathRecord = {
      schema: PATH_RECORD_SCHEMA,
      path: name,
      type: packed.type,
      archive: { digest: packed.digest, size: packed.size },
      references: [...references].sort(),
      size: packed.contentSize,
      files: packed.files,
    };
    const archive = { mediaType: MEDIA.archive, digest: packed.digest, size: packed.size };
    return await putSigned(registry, pathTag(name), MEDIA.pathArtifact, MEDIA.pathRecord, signRecord(record, key), [archive]);
  } finally {
    await removeTree(scratch);
  }
}

/** The record as config, the signature as the last layer, the manifest under `tag`. */
async function putSigned(registry: Registry, tag: string, artifactType: string, recordType: string, signed: SignedRecord, layers: readonly Descriptor[], subject?: Descriptor): Promise<Descriptor> {
  const config = await pushBytes(registry, recordType, signed.bytes);
  const signature = await pushBytes(registry, MEDIA.signature, signed.signature);
  const bytes = manifestBytes({ artifactType, config, layers: [...layers, signature], ...(subject ? { subject } : {}) });
  const digest = await registry.putManifest(tag, bytes, OCI_MANIFEST);
  return { mediaType: OCI_MANIFEST, digest, size: bytes.length, artifactType };
}

async function pushBytes(registry: Registry, mediaType: string, bytes: Buffer): Promise<Descriptor> {
  const digest = `sha256:${sha256Hex(bytes)}`;
  await registry.pushBlob(bytes, digest);
  return { mediaType, digest, size: bytes.length };
}

/** A path that was already there is named by its manifest's real size, fetched once. */
async function subjectOf(registry: Registry, path: string, known: Descriptor): Promise<Descriptor> {
  if (known.size > 0) return known;
  const manifest = await registry.getManifest(pathTag(path));
  return { mediaType: OCI_MANIFEST, digest: known.digest, size: manifest?.bytes.length ?? 0, artifactType: MEDIA.pathArtifact };
}
