// Compare two systems: option values (with the definitions that set them),
// kernel features, packages, closure and image sizes, and the image's files.
// Pure data in, data out; resolve.ts finds the sides, render.ts prints.
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { featureList } from "../../kernel-src/features.ts";
import type { Config } from "../../schemas/index.ts";
import { closure } from "../../store/closure.ts";
import { sha256Hex } from "../../store/hash.ts";
import type { Store } from "../../store/store.ts";
import { listTree } from "../../store/tree.ts";
import { FORMAT_FILES } from "../image/read.ts";
import { IMAGE_MANIFEST_FILE, type ImageManifest } from "../image/image-manifest.ts";
import { MANIFEST_FILE, type Manifest } from "../image/manifest.ts";
import type { Snapshot } from "./snapshot.ts";

export interface Side {
  /** How the user named it: `generation 3`, a store path, a profile. */
  readonly label: string;
  readonly snapshot: Snapshot;
  readonly configHash: string;
  /** The image's store path name. */
  readonly storePath: string;
}

export interface OptionChange {
  readonly path: string;
  readonly old: unknown;
  readonly new: unknown;
  readonly oldDefinedIn: readonly string[];
  readonly newDefinedIn: readonly string[];
}

export interface PackageChange {
  readonly name: string;
  readonly change: "added" | "removed" | "changed";
  readonly oldVersion: string | null;
  readonly newVersion: string | null;
  /** Its sandbox in one line on each side; null where the side has no such package or its record predates sandboxes. */
  readonly oldSandbox: string | null;
  readonly newSandbox: string | null;
}

export interface FileChange {
  /** `format`: an image file such as bundle.tar; `file`: a file the signed manifest lists; `generation`: an older generation the boot menu carries. */
  readonly kind: "format" | "file" | "generation";
  readonly path: string;
  readonly change: "added" | "removed" | "changed";
  readonly oldSize: number | null;
  readonly newSize: number | null;
}

export interface SizeDelta {
  readonly old: number;
  readonly new: number;
}

export interface Diff {
  readonly options: OptionChange[];
  readonly features: { readonly on: string[]; readonly off: string[] };
  readonly packages: PackageChange[];
  readonly closureSize: SizeDelta;
  readonly imageSize: SizeDelta;
  /** Image format files (bundle.tar, boot.iso, ...) and the files the manifest lists. */
  readonly imageFiles: FileChange[];
}

export async function diffSides(store: Store, a: Side, b: Side): Promise<Diff> {
  const ca = a.snapshot.config as Config;
  const cb = b.snapshot.config as Config;
  const fa = new Set(featureList(ca.kernel));
  const fb = new Set(featureList(cb.kernel));
  return {
    options: diffOptions(a.snapshot, b.snapshot),
    features: { on: [...fb].filter((f) => !fa.has(f)), off: [...fa].filter((f) => !fb.has(f)) },
    packages: diffPackages(a.snapshot, b.snapshot),
    closureSize: { old: await closureSize(store, a.storePath), new: await closureSize(store, b.storePath) },
    imageSize: { old: (await store.pathInfo(a.storePath))?.size ?? 0, new: (await store.pathInfo(b.storePath))?.size ?? 0 },
    imageFiles: compareFiles(await imageFiles(store.pathOf(a.storePath)), await imageFiles(store.pathOf(b.storePath))),
  };
}

export function diffOptions(a: Pick<Snapshot, "options">, b: Pick<Snapshot, "options">): OptionChange[] {
  const paths = [...new Set([...Object.keys(a.options), ...Object.keys(b.options)])].sort();
  const changes: OptionChange[] = [];
  for (const path of paths) {
    const oa = a.options[path];
    const ob = b.options[path];
    if (JSON.stringify(oa?.value) === JSON.stringify(ob?.value)) continue;
    changes.push({ path, old: oa?.value ?? null, new: ob?.value ?? null, oldDefinedIn: oa?.definedIn ?? [], newDefinedIn: ob?.definedIn ?? [] });
  }
  return changes;
}

/** Packages added, removed, or changed by version or sandbox (own keys only). */
export function diffPackages(a: Pick<Snapshot, "packages" | "sandboxes">, b: Pick<Snapshot, "packages" | "sandboxes">): PackageChange[] {
  const changes: PackageChange[] = [];
  const own = (record: Readonly<Record<string, string>> | undefined, name: string) => (record && Object.hasOwn(record, name) ? record[name]! : null);
  for (const name of [...new Set([...Object.keys(a.packages), ...Object.keys(b.packages)])].sort()) {
    const [va, vb] = [own(a.packages, name), own(b.packages, name)];
    const [sa, sb] = [own(a.sandboxes, name), own(b.sandboxes, name)];
    // A record from before sandboxes were kept compares by version only.
    if (va === vb && (sa === sb || sa === null || sb === null)) continue;
    changes.push({ name, change: va === null ? "added" : vb === null ? "removed" : "changed", oldVersion: va, newVersion: vb, oldSandbox: sa, newSandbox: sb });
  }
  return changes;
}

async function closureSize(store: Store, storePath: string): Promise<number> {
  let total = 0;
  for (const name of await closure(store, [storePath])) total += (await store.pathInfo(name))?.size ?? 0;
  return total;
}

interface ImageFile {
  readonly kind: "format" | "file" | "generation";
  readonly size: number;
  readonly sha256: string;
}

/** The image's format files (by size) and the manifest's files (by hash), keyed by path. */
async function imageFiles(dir: string): Promise<Map<string, ImageFile>> {
  const files = new Map<string, ImageFile>();
  const present = new Set(await readdir(dir).catch(() => [] as string[]));
  for (const name of Object.values(FORMAT_FILES)) {
    if (!present.has(name)) continue;
    const file = join(dir, name);
    if ((await stat(file)).isDirectory()) {
      // The `kernel` format is a folder: its size is its files', its hash that of their hashes.
      const entries = await listTree(file);
      files.set(`format:${name}/`, { kind: "format", size: entries.reduce((n, e) => n + e.size, 0), sha256: sha256Hex(entries.map((e) => `${e.path} ${e.sha256}`).join("\n")) });
    } else {
      const data = await readFile(file);
      files.set(`format:${name}`, { kind: "format", size: data.length, sha256: sha256Hex(data) });
    }
  }
  const manifest = JSON.parse(await readFile(join(dir, MANIFEST_FILE), "utf8").catch(() => "{\"files\":[]}")) as Pick<Manifest, "files">;
  for (const f of manifest.files) files.set(`file:${f.path}`, { kind: "file", size: f.size, sha256: f.sha256 });
  // The older generations the boot menus carry, as the signed image manifest lists them: generations/<N>/.
  const image = JSON.parse(await readFile(join(dir, IMAGE_MANIFEST_FILE), "utf8").catch(() => "{}")) as Partial<Pick<ImageManifest, "generations">>;
  for (const g of image.generations ?? []) files.set(`generation:generations/${g.number}/`, { kind: "generation", size: 0, sha256: g.manifestSha256 });
  return files;
}

function compareFiles(a: Map<string, ImageFile>, b: Map<string, ImageFile>): FileChange[] {
  const changes: FileChange[] = [];
  for (const path of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const fa = a.get(path);
    const fb = b.get(path);
    const change = !fa ? "added" : !fb ? "removed" : fa.sha256 !== fb.sha256 || fa.size !== fb.size ? "changed" : undefined;
    if (change) changes.push({ kind: (fa ?? fb)!.kind, path: path.slice(path.indexOf(":") + 1), change, oldSize: fa?.size ?? null, newSize: fb?.size ?? null });
  }
  return changes;
}
