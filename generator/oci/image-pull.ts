// Pull an image artifact into the store. Nothing the registry sends is
// visible before it is verified. image.json and its signature come first
// and must vouch for every other layer (image-precheck.ts); then the layers
// are downloaded into a scratch folder of the store (each checked against
// its digest as it arrives), the folder is verified as `exo verify`
// verifies an image, with the keys this project trusts and never any the
// registry offers, and only then is it added to the store, under a key
// made from the manifest's digest. An image pulled before is verified
// again in place, and not downloaded twice.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { hashJson } from "../../store/hash.ts";
import { removeTree, type Store } from "../../store/store.ts";
import { ExoError } from "../errors.ts";
import { type Acceptance, acceptImage, type FreshnessRequest, refusal } from "../image/accept.ts";
import { IMAGE_MANIFEST_FILE, IMAGE_SIGNATURE_FILE, MANIFEST_MAX_BYTES, SIGNATURE_MAX_BYTES } from "../image/image-manifest.ts";
import type { Trust } from "../sign/trust.ts";
import { withTempDir } from "../temp.ts";
import { digestOf } from "./image-artifact.ts";
import { readImageArtifact } from "./image-layers.ts";
import { precheckLayers } from "./image-precheck.ts";
import { RegistryError } from "./errors.ts";
import { formatOciReference, type OciReference } from "./reference.ts";
import { Registry, type RegistryOptions } from "./registry.ts";

export interface PullOptions {
  readonly registry: RegistryOptions;
  readonly trust: Trust;
  readonly request: FreshnessRequest;
  readonly store: Store;
}

export interface PulledImage {
  readonly digest: string;
  /** `oci://HOST/REPO@sha256:...`: the image itself, whatever tag named it. */
  readonly pinned: string;
  /** The store path, absolute. */
  readonly path: string;
  readonly files: number;
  /** The image was in the store already: nothing was downloaded. */
  readonly reused: boolean;
  readonly bytesReceived: number;
  readonly acceptance: Acceptance;
}

/** Fetch, verify and add the image `ref` names; an ExoError when the registry lacks it or it is refused. */
export async function pullImage(ref: OciReference, opts: PullOptions): Promise<PulledImage> {
  const registry = await Registry.open(ref, opts.registry);
  try {
    return await pullFrom(registry, ref, opts);
  } finally {
    registry.close();
  }
}

async function pullFrom(registry: Registry, ref: OciReference, opts: PullOptions): Promise<PulledImage> {
  const where = formatOciReference(ref);
  const manifest = await registry.getManifest(ref.digest ?? ref.tag ?? "latest");
  if (!manifest) throw new RegistryError(`${where}: the registry has no such image`, "check the tag or digest; `skopeo list-tags docker://HOST/REPO` lists the tags");
  // The digest of the bytes read here, whatever the registry calls them: the key and the identity of what is verified.
  const digest = digestOf(manifest.bytes);
  if (ref.digest !== undefined && digest !== ref.digest) throw new RegistryError(`${where}: the registry sent a manifest whose digest is ${digest}`, "the registry's copy is damaged or tampered with; do not use it");
  const pinned = formatOciReference({ registry: ref.registry, repository: ref.repository, digest });
  const layers = readImageArtifact(manifest.bytes, where);
  const key = hashJson({ pulled: digest });
  const result = { digest, pinned, files: layers.length };

  const known = await opts.store.lookup(key);
  if (known) {
    const path = opts.store.pathOf(known);
    const acceptance = await accept(path, opts);
    if (!acceptance.ok) throw refusal(acceptance, `refusing ${where}`);
    return { ...result, path, reused: true, bytesReceived: 0, acceptance };
  }

  // The signed image manifest first: it decides whether anything else is downloaded.
  const small = new Map<string, Buffer>();
  for (const [title, max] of [[IMAGE_MANIFEST_FILE, MANIFEST_MAX_BYTES], [IMAGE_SIGNATURE_FILE, SIGNATURE_MAX_BYTES]] as const) {
    const layer = layers.find((l) => l.title === title);
    if (layer) small.set(title, await naming(title, registry.getBlob(layer.digest, Math.min(layer.size, max))));
  }
  const early = precheckLayers(small.get(IMAGE_MANIFEST_FILE), small.get(IMAGE_SIGNATURE_FILE), layers, opts.trust.keys);
  if (early) throw refusal(early, `refusing ${where}`);

  const scratch = await opts.store.scratch();
  try {
    for (const layer of layers) {
      const file = join(scratch, layer.title);
      await mkdir(dirname(file), { recursive: true });
      const data = small.get(layer.title);
      if (data) await writeFile(file, data);
      else await naming(layer.title, registry.downloadBlob(layer.digest, file, layer.size));
    }
    const acceptance = await accept(scratch, opts);
    if (!acceptance.ok) throw refusal(acceptance, `refusing ${where}`);
    const name = await opts.store.add(key, `image-${pathNameOf(acceptance.check.head?.system)}`, scratch, []);
    return { ...result, path: opts.store.pathOf(name), reused: false, bytesReceived: registry.stats.received, acceptance };
  } finally {
    // Gone already when it was added: the rename took it.
    await removeTree(scratch);
  }
}

/** Name the file in a registry's error: a digest alone tells the user nothing. */
async function naming<T>(title: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (e) {
    if (e instanceof ExoError) throw new ExoError(e.code, `${title}: ${e.message}`, e.hint, { cause: e });
    throw e;
  }
}

function accept(folder: string, opts: PullOptions): Promise<Acceptance> {
  return withTempDir("pull", (workDir) => acceptImage(folder, opts.trust, opts.request, { workDir }));
}

/** The system's name in a store path name, when it is a plain one. */
function pathNameOf(system: string | undefined): string {
  return system !== undefined && /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/.test(system) ? system : "pulled";
}
