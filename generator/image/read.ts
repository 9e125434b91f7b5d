// Read back the files an image carries, whatever its format, so that one
// check (verify.ts) serves them all: a bundle's tar entries, the kernel
// folder's files, the ISO's file system (through xorriso), the raw disk's
// EFI system partition (through mtools), and for the raw disk also the
// GRUB core image in the gap before the partition.
import { mkdir, mkdtemp, open, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, extname, join, resolve } from "node:path";
import { runTool } from "../builders/exec.ts";
import { listFiles } from "../builders/files.ts";
import { ExoError } from "../errors.ts";
import { displayPath } from "../eval/paths.ts";
import type { PublicKey } from "../sign/keys.ts";
import { findTool } from "../toolchain.ts";
import { verifyBundle } from "./bundle.ts";
import { ISO_FILE, unpatchEltorito } from "./iso.ts";
import { SIGNATURE_FILE } from "./manifest.ts";
import { placeCore, SECTOR } from "./mbr.ts";
import { firstPartition, RAW_FILE } from "./raw.ts";
import { verifyOlderGenerations } from "./older-generations.ts";
import { type ImageReport, verifyFiles } from "./verify.ts";

export const FORMAT_FILES = { bundle: "bundle.tar", kernel: "kernel", iso: ISO_FILE, raw: RAW_FILE } as const;
export type Format = keyof typeof FORMAT_FILES;

export interface FormatReport extends ImageReport {
  readonly format: Format;
  readonly file: string;
  /** The files read back, for `exo run`. */
  readonly files: ReadonlyMap<string, Uint8Array>;
}

/** The formats present at IMAGE: a result folder (any of them) or one image file. */
export async function locateImages(image: string): Promise<{ format: Format; file: string }[]> {
  const info = await stat(image).catch(() => undefined);
  if (!info) throw new ExoError("ERR_EXO_IMAGE_INVALID", `image ${image} does not exist`, "give a result folder (the link `exo build` leaves) or an image file: .tar, .iso or .raw");
  if (!info.isDirectory()) {
    const format = ({ ".tar": "bundle", ".iso": "iso", ".raw": "raw", ".img": "raw" } as const)[extname(image)];
    if (!format) throw new ExoError("ERR_EXO_IMAGE_INVALID", `${displayPath(image)}: unknown image type '${extname(image)}'`, "images are .tar (bundle), .iso or .raw files, or a result folder");
    return [{ format, file: image }];
  }
  const present = new Set(await readdir(image));
  const found = (Object.entries(FORMAT_FILES) as [Format, string][]).filter(([, name]) => present.has(name)).map(([format, name]) => ({ format, file: join(image, name) }));
  if (found.length === 0) throw new ExoError("ERR_EXO_IMAGE_INVALID", `${displayPath(image)} holds no image (none of ${Object.values(FORMAT_FILES).join(", ")})`);
  return found;
}

/** A detached signature beside the images (an image signed after it was built). */
export async function detachedSignature(image: string): Promise<Uint8Array | undefined> {
  const info = await stat(image).catch(() => undefined);
  return info?.isDirectory() ? readFile(join(image, SIGNATURE_FILE)).catch(() => undefined) : undefined;
}

export async function verifyImage(format: Format, file: string, trusted: readonly PublicKey[], signature?: Uint8Array): Promise<FormatReport> {
  if (format === "bundle") {
    const report = await verifyBundle(await readFile(file), trusted, signature);
    return { ...report, format, file, files: new Map(report.entries.map((e) => [e.name, e.data] as const)) };
  }
  const files = format === "kernel" ? await readTree(file) : await extract(format, file);
  const problems: string[] = [];
  if (format === "iso" && files.has("boot/grub/eltorito.img")) files.set("boot/grub/eltorito.img", unpatchEltorito(files.get("boot/grub/eltorito.img")!));
  if (format === "raw") problems.push(...(await checkDiskGap(file, files)));
  // Older generations (rollback at boot) carry manifests of their own.
  const older = verifyOlderGenerations(files, trusted);
  const own = new Map([...files].filter(([name]) => !older.accounted.has(name)));
  const report = verifyFiles(own, trusted, { ...(signature && !files.has(SIGNATURE_FILE) ? { signature } : {}), subset: format === "kernel" });
  const all = [...report.problems, ...older.problems, ...problems];
  return { ...report, ok: all.length === 0, problems: all, format, file, files };
}

async function readTree(dir: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const name of await listFiles(dir)) files.set(name, await readFile(join(dir, name)));
  return files;
}

/** Copy an ISO's or a raw disk's files out with xorriso or mtools, and read them. */
async function extract(format: "iso" | "raw", given: string): Promise<Map<string, Uint8Array>> {
  const file = resolve(given); // the tools run in a scratch folder
  const dir = await mkdtemp(join(tmpdir(), "exo-extract-"));
  try {
    if (format === "iso") {
      const xorriso = await findTool("xorriso");
      await runTool(xorriso, ["-osirrox", "on", "-indev", file, "-extract", "/", join(dir, "fs")], { cwd: dir, what: `reading ${basename(file)} with xorriso` });
    } else {
      const mcopy = await findTool("mcopy");
      const { start } = firstPartition(await readHead(file, SECTOR));
      await mkdir(join(dir, "fs")); // mcopy copies several files only into a folder that exists
      await runTool(mcopy, ["-s", "-n", "-m", "-i", `${file}@@${start * SECTOR}`, "::/*", join(dir, "fs")], { cwd: dir, what: `reading the partition of ${basename(file)} with mcopy` });
    }
    return await readTree(join(dir, "fs"));
  } catch (e) {
    if (e instanceof ExoError) throw new ExoError("ERR_EXO_IMAGE_INVALID", `${displayPath(given)} could not be read: ${e.message}`);
    throw e;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The GRUB core image in the disk's gap must be the signed core.img, placed as the builder placed it. */
async function checkDiskGap(file: string, files: ReadonlyMap<string, Uint8Array>): Promise<string[]> {
  const core = files.get("boot/grub/core.img");
  if (!core) return [];
  const expected = placeCore(core);
  const actual = (await readHead(file, SECTOR + expected.length)).subarray(SECTOR);
  return Buffer.compare(expected, actual) === 0 ? [] : ["disk sectors 1..: the GRUB core image before the partition differs from boot/grub/core.img"];
}

async function readHead(file: string, bytes: number): Promise<Buffer> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(bytes);
    await handle.read(buffer, 0, bytes, 0);
    return buffer;
  } finally {
    await handle.close();
  }
}
