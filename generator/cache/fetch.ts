// Take store paths out of an OCI binary cache: by derivation key (a
// substituter, before a build) or by path name (exo copy --from). Each
// step is checked before the next: the record's signature against the keys
// trusted for this cache, the archive's digest, its shape against the
// record, and finally the unpacked tree's hash against the path's name.
// Only then does the store see it.
import { join } from "node:path";
import { ContentMismatch, removeTree, type Store } from "../../store/store.ts";
import { ExoError } from "../errors.ts";
import { type Descriptor, DigestMismatch, type Registry } from "../oci/registry.ts";
import type { PublicKey } from "../sign/keys.ts";
import { unpackPath } from "./archive.ts";
import type { z } from "zod";
import { keyTag, MEDIA, parseCacheManifest, pathTag } from "./layout.ts";
import { openRecord, type PathRecord, pathRecordSchema, realisationSchema } from "./records.ts";

/** Records and signatures are small; anything larger is not one. */
const RECORD_MAX_BYTES = 1 << 20;
const SIGNATURE_MAX_BYTES = 64 << 10;

export interface CacheSource {
  /** oci://HOST/REPO, for messages. */
  readonly url: string;
  readonly registry: Registry;
  readonly trusted: readonly PublicKey[];
}

/** A cache answered, but what it gave is not to be trusted or is not whole. */
export class CacheRefused extends ExoError {
  constructor(
    url: string,
    readonly what: string,
    readonly reason: string,
  ) {
    super("ERR_EXO_CACHE_REFUSED", `${url}: ${what} refused: ${reason}`, "the cache may be tampered with or signed by a key not trusted for it (exo.config.ts substituters[].trusted)");
  }
}

export interface Fetched {
  readonly path: string;
  /** Archive bytes downloaded for this path and the references it needed. */
  readonly bytes: number;
}

/**
 * Fetches into one store, each path at most once however many derivations
 * ask for it at the same time.
 */
export class CacheFetcher {
  private inFlight = new Map<string, Promise<number>>();

  constructor(private readonly store: Store) {}

  /** The path a cache says `key` builds, present in the store on return; undefined when the cache does not know the key. */
  async realisation(source: CacheSource, key: string): Promise<Fetched | undefined> {
    const what = `derivation key ${key.slice(0, 16)}…`;
    const manifest = await source.registry.getManifest(keyTag(key));
    if (!manifest) return undefined;
    const { record } = await signedRecord(source, what, manifest.bytes, MEDIA.realisationArtifact, [MEDIA.signature], realisationSchema);
    if (record.key !== key) throw new CacheRefused(source.url, what, `its signed record is for key ${record.key.slice(0, 16)}…`);
    return { path: record.path, bytes: await this.path(source, record.path) };
  }

  /** Make `path` and its closure present in the store; returns the archive bytes downloaded. */
  async path(source: CacheSource, path: string): Promise<number> {
    await this.store.protect(path);
    if (await this.store.isValid(path)) return 0;
    let pending = this.inFlight.get(path);
    if (!pending) {
      pending = this.download(source, path).finally(() => this.inFlight.delete(path));
      this.inFlight.set(path, pending);
    }
    return pending;
  }

  private async download(source: CacheSource, path: string): Promise<number> {
    const what = `store path ${path}`;
    const manifest = await source.registry.getManifest(pathTag(path));
    if (!manifest) throw new CacheRefused(source.url, what, `the cache has no such path (no tag ${pathTag(path)})`);
    const { record, layers } = await signedRecord(source, what, manifest.bytes, MEDIA.pathArtifact, [MEDIA.archive, MEDIA.signature], pathRecordSchema);
    const archive = layers[0]!;
    if (record.path !== path) throw new CacheRefused(source.url, what, `its signed record is for ${record.path}`);
    if (record.archive.digest !== archive.digest || record.archive.size !== archive.size) throw new CacheRefused(source.url, what, "its manifest names another archive than its signed record");
    // References first: a path is never valid in the store before what it refers to.
    let bytes = 0;
    for (const ref of record.references) bytes += await this.path(source, ref);
    return bytes + (await this.unpackInto(source, what, record, archive));
  }

  private async unpackInto(source: CacheSource, what: string, record: PathRecord, archive: Descriptor): Promise<number> {
    const scratch = await this.store.scratch();
    try {
      const file = join(scratch, "archive.tar");
      await source.registry.downloadBlob(archive.digest, file, archive.size).catch(refusal(source, what));
      const tree = join(scratch, "out");
      await unpackPath(file, archive.size, tree, record).catch((e: unknown) => {
        throw new CacheRefused(source.url, what, `its archive: ${(e as Error).message}`);
      });
      const dash = record.path.indexOf("-");
      await this.store.addTree(record.path.slice(dash + 1), tree, record.references, record.path).catch((e: unknown) => {
        if (e instanceof ContentMismatch) throw new CacheRefused(source.url, what, e.message);
        throw e;
      });
      return archive.size;
    } finally {
      await removeTree(scratch);
    }
  }
}

/** Check the manifest's shape, fetch its config (the record) and last layer (its signature), check the signature, then the record's shape. */
async function signedRecord<T>(source: CacheSource, what: string, manifest: Buffer, artifactType: string, layerTypes: readonly string[], schema: z.ZodType<T>): Promise<{ record: T; layers: readonly Descriptor[] }> {
  const parsed = parseCacheManifest(manifest, artifactType, layerTypes);
  if (typeof parsed === "string") throw new CacheRefused(source.url, what, parsed);
  const signatureLayer = parsed.layers[parsed.layers.length - 1]!;
  if (parsed.config.size > RECORD_MAX_BYTES || signatureLayer.size > SIGNATURE_MAX_BYTES) throw new CacheRefused(source.url, what, "its record or signature is larger than any Exo writes");
  const [bytes, signature] = await Promise.all([source.registry.getBlob(parsed.config.digest, RECORD_MAX_BYTES), source.registry.getBlob(signatureLayer.digest, SIGNATURE_MAX_BYTES)]).catch(refusal(source, what));
  try {
    return { record: openRecord(schema, { bytes, signature }, source.trusted), layers: parsed.layers };
  } catch (e) {
    throw new CacheRefused(source.url, what, (e as Error).message);
  }
}

/** A blob whose bytes are not its digest is a refusal of the path it belongs to. */
function refusal(source: CacheSource, what: string) {
  return (e: unknown): never => {
    if (e instanceof DigestMismatch) throw new CacheRefused(source.url, what, e.message);
    throw e;
  };
}
