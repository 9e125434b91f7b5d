// The payload manifest: what the payload's signature covers. Every file the
// image carries, with its SHA-256 and size and, for files built by an
// earlier step, the store path it came from; and what makes the build
// fresh: its system, its version (never lower than one already seen, see
// sign/freshness.ts), when it was made and until when it may be used.
import { z } from "zod";
import { canonicalJson, sha256Hex } from "../../store/hash.ts";

export const MANIFEST_SCHEMA = "exo.manifest/v2";
export const MANIFEST_FILE = "manifest.json";
export const SIGNATURE_FILE = "manifest.sig";

export const manifestSchema = z.strictObject({
  schema: z.literal(MANIFEST_SCHEMA),
  system: z.string(),
  arch: z.string(),
  configHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** Never lower than a version of the same system already seen (TUF's rule); the generation number for `exo switch`. */
  version: z.number().int().min(0),
  /** Seconds since 1970: image.sourceDateEpoch, never the clock. */
  created: z.number().int().min(0),
  /** Seconds since 1970 after which the image is refused, or null. */
  expires: z.number().int().min(0).nullable(),
  files: z.array(
    z.strictObject({
      path: z.string(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      size: z.number().int().min(0),
      storePath: z.string().optional(),
    }),
  ),
});
export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestHead = Omit<Manifest, "schema" | "files">;

export interface ManifestFile {
  readonly path: string;
  readonly data: Uint8Array;
  readonly storePath?: string;
}

export function makeManifest(head: ManifestHead, files: readonly ManifestFile[]): Manifest {
  return {
    schema: MANIFEST_SCHEMA,
    ...head,
    files: [...files]
      .sort((a, b) => (a.path < b.path ? -1 : 1))
      .map((f) => ({ path: f.path, sha256: sha256Hex(f.data), size: f.data.length, ...(f.storePath ? { storePath: f.storePath } : {}) })),
  };
}

/** The exact bytes that are signed: canonical JSON and a newline. */
export function manifestBytes(manifest: Manifest): Buffer {
  return Buffer.from(`${canonicalJson(manifest)}\n`);
}
