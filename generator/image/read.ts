// Check an image, whatever its form, in the order that keeps a hostile one
// harmless: the signature over the image manifest first (image.json beside
// the containers); then each container's size and SHA-256, read as a
// stream (copied at the same time when the caller will use it); and only
// then, inside containers that matched, the files the payload manifest and
// the carried generations list, within their listed sizes. A lone bundle
// (a .tar without image.json beside it) is covered byte for byte by its own
// manifest and canonical form (bundle.ts). A lone ISO or raw disk is not:
// its boot areas are covered only by image.json.
import { join } from "node:path";
import { basename, dirname, extname } from "node:path";
import { lstat, mkdir, stat } from "node:fs/promises";
import { sha256Hex } from "../../store/hash.ts";
import { ExoError } from "../errors.ts";
import { displayPath } from "../eval/paths.ts";
import type { PublicKey } from "../sign/keys.ts";
import { KEEP_MAX_BYTES, verifyBundle } from "./bundle.ts";
import { extractFiles, readHead, type Wanted } from "./extract.ts";
import { IMAGE_MANIFEST_FILE, IMAGE_SIGNATURE_FILE, type ImageManifest, imageManifestSchema, MANIFEST_MAX_BYTES, SIGNATURE_MAX_BYTES } from "./image-manifest.ts";
import { ISO_FILE, unpatchEltorito } from "./iso.ts";
import { type Manifest, MANIFEST_FILE, manifestSchema, SIGNATURE_FILE } from "./manifest.ts";
import { placeCore, SECTOR } from "./mbr.ts";
import { carriedFiles, verifyOlderGenerations } from "./older-generations.ts";
import { RAW_FILE } from "./raw.ts";
import { hashFile, listTree, readSmallFile, UnsafeFile } from "./safe-read.ts";
import { checkSigned, type ImageReport, verifyFiles } from "./verify.ts";

export const FORMAT_FILES = { bundle: "bundle.tar", kernel: "kernel", iso: ISO_FILE, raw: RAW_FILE } as const;
export type Format = keyof typeof FORMAT_FILES;
const FORMATS = Object.keys(FORMAT_FILES) as Format[];

export interface FormatReport extends ImageReport {
  readonly format: Format;
  readonly file: string;
  /** The files read back and checked, for `exo run`, `exo sign` and `exo sbom`. */
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** A private copy of the container, made while it was hashed (when a work folder was given). */
  readonly copy?: string;
}

export interface ImageCheck {
  readonly ok: boolean;
  /** Problems of the image as a whole: its manifest, its signature, files beside the containers. */
  readonly problems: readonly string[];
  /** What the signature vouches for: image.json's head, or a lone bundle's payload manifest. */
  readonly head?: Pick<Manifest, "system" | "arch" | "configHash" | "version" | "created" | "expires">;
  readonly image?: ImageManifest;
  readonly keyId?: string;
  readonly algorithm?: string;
  readonly formats: readonly FormatReport[];
  /** The files beside the containers, each checked against image.json (the SBOM among them). */
  readonly files?: ReadonlyMap<string, Uint8Array>;
}

export interface CheckOptions {
  /** Check only these formats (the one `exo run` boots); all present by default. */
  readonly formats?: readonly Format[];
  /** A private folder for copies and extracted files; one is needed to look inside ISO and raw images. */
  readonly workDir: string;
  /** Copy the containers checked into workDir, so the caller uses the bytes that were hashed. */
  readonly copy?: boolean;
}

/** What sits at IMAGE: a folder with image.json, a file listed in the image.json beside it, or a lone bundle. */
export async function checkImage(image: string, trusted: readonly PublicKey[], opts: CheckOptions): Promise<ImageCheck> {
  const info = await stat(image).catch(() => undefined);
  if (!info) throw new ExoError("ERR_EXO_IMAGE_INVALID", `image ${displayPath(image)} does not exist`, "give a result folder (the link `exo build` leaves) or an image file: .tar, .iso or .raw");
  if (info.isDirectory()) {
    if (!(await lstat(join(image, IMAGE_MANIFEST_FILE)).catch(() => undefined))) {
      throw new ExoError("ERR_EXO_IMAGE_INVALID", `${displayPath(image)} holds no image manifest (${IMAGE_MANIFEST_FILE})`, "give a result folder made by `exo build` (images built before image.json existed must be built again)");
    }
    return checkSealed(image, undefined, trusted, opts);
  }
  const format = formatOfFile(image);
  const folder = dirname(image);
  const beside = await lstat(join(folder, IMAGE_MANIFEST_FILE)).catch(() => undefined);
  if (beside && basename(image) === FORMAT_FILES[format]) return checkSealed(folder, format, trusted, opts);
  if (format !== "bundle") {
    throw new ExoError(
      "ERR_EXO_VERIFY",
      `${displayPath(image)}: no signed ${IMAGE_MANIFEST_FILE} lists it; an ISO or disk image's boot areas are covered only by the image manifest beside it`,
      `keep ${IMAGE_MANIFEST_FILE} and ${IMAGE_SIGNATURE_FILE} beside the image under its built name (${FORMAT_FILES[format]}), or check the whole result folder`,
    );
  }
  const report = await verifyBundle(image, trusted);
  const head = report.manifest;
  return {
    ok: report.ok,
    problems: [],
    ...(head ? { head } : {}),
    ...(report.keyId ? { keyId: report.keyId, algorithm: report.algorithm! } : {}),
    formats: [{ ...report, format, file: image }],
  };
}

/** The format of an image file, from its extension. */
export function formatOfFile(file: string): Format {
  const format = ({ ".tar": "bundle", ".iso": "iso", ".raw": "raw", ".img": "raw" } as const)[extname(file)];
  if (!format) throw new ExoError("ERR_EXO_IMAGE_INVALID", `${displayPath(file)}: unknown image type '${extname(file)}'`, "images are .tar (bundle), .iso or .raw files, or a result folder");
  return format;
}

/** The formats an image.json lists, in the order of FORMAT_FILES. */
export function formatsOf(image: ImageManifest): Format[] {
  return FORMATS.filter((f) => image.files.some((file) => file.path === FORMAT_FILES[f] || file.path.startsWith(`${FORMAT_FILES[f]}/`)));
}

async function checkSealed(folder: string, only: Format | undefined, trusted: readonly PublicKey[], opts: CheckOptions): Promise<ImageCheck> {
  const problems: string[] = [];
  const small = async (name: string, max: number) => {
    try {
      return await readSmallFile(join(folder, name), name, max);
    } catch (e) {
      if (!(e instanceof UnsafeFile)) throw e;
      if (!e.message.endsWith(": missing")) problems.push(e.message);
      return undefined;
    }
  };
  const signed = checkSigned(await small(IMAGE_MANIFEST_FILE, MANIFEST_MAX_BYTES), await small(IMAGE_SIGNATURE_FILE, SIGNATURE_MAX_BYTES), imageManifestSchema, { file: IMAGE_MANIFEST_FILE, signature: IMAGE_SIGNATURE_FILE }, trusted);
  problems.push(...signed.problems);
  const image = signed.value;
  const key = signed.keyId ? { keyId: signed.keyId, algorithm: signed.algorithm! } : {};
  if (!image) return { ok: false, problems, formats: [] };
  const { schema: _, payloadManifest: __, files: ___, generations: ____, ...head } = image;

  // Nothing may sit beside the containers that image.json does not vouch for.
  const listing = await listTree(folder);
  // A link or special file anywhere in the image ends the check: nothing is read through it.
  if (listing.problems.length) return { ok: false, problems: [...problems, ...listing.problems], head, image, ...key, formats: [] };
  const listed = new Map(image.files.map((f) => [f.path, f] as const));
  for (const name of listing.files) {
    if (name !== IMAGE_MANIFEST_FILE && name !== IMAGE_SIGNATURE_FILE && !listed.has(name)) problems.push(`${name}: beside the image but not in ${IMAGE_MANIFEST_FILE}`);
  }
  // The files beside the containers (payload manifest, detached signature, SBOM): small, read whole, each against its hash.
  const top = new Map<string, Uint8Array>();
  for (const entry of image.files.filter((f) => !FORMATS.some((format) => f.path === FORMAT_FILES[format] || f.path.startsWith(`${FORMAT_FILES[format]}/`)))) {
    const data = await small(entry.path, Math.min(entry.size, MANIFEST_MAX_BYTES));
    if (!data) problems.push(`${entry.path}: listed in ${IMAGE_MANIFEST_FILE} but missing`);
    else if (sha256Hex(data) !== entry.sha256) problems.push(`${entry.path}: SHA-256 ${sha256Hex(data)} differs from ${IMAGE_MANIFEST_FILE}'s ${entry.sha256}`);
    else top.set(entry.path, data);
  }
  const payload = checkPayloadManifest(top.get(MANIFEST_FILE), image);
  problems.push(...payload.problems);
  const detached = top.get(SIGNATURE_FILE);

  const present = formatsOf(image);
  const wanted = present.filter((f) => (only ? f === only : true) && (opts.formats ? opts.formats.includes(f) : true));
  const formats: FormatReport[] = [];
  for (const format of wanted) {
    formats.push(await checkFormat(folder, format, image, payload.manifest, detached, trusted, opts));
  }
  const ok = problems.length === 0 && formats.length > 0 && formats.every((f) => f.ok);
  return { ok, problems, head, image, ...key, formats, files: top };
}

/** The payload manifest beside the containers must be the one image.json names, with the same head. */
function checkPayloadManifest(bytes: Uint8Array | undefined, image: ImageManifest): { manifest?: Manifest; problems: string[] } {
  if (!bytes) return { problems: [`${MANIFEST_FILE}: missing beside the image`] };
  if (sha256Hex(bytes) !== image.payloadManifest.sha256) return { problems: [`${MANIFEST_FILE}: differs from the payload manifest ${IMAGE_MANIFEST_FILE} names`] };
  const parsed = manifestSchema.safeParse(JSON.parse(Buffer.from(bytes).toString("utf8")));
  if (!parsed.success) return { problems: [`${MANIFEST_FILE}: does not follow its schema`] };
  const m = parsed.data;
  const same = m.system === image.system && m.arch === image.arch && m.configHash === image.configHash && m.version === image.version && m.created === image.created && m.expires === image.expires;
  return same ? { manifest: m, problems: [] } : { problems: [`${MANIFEST_FILE}: its system, version or dates differ from ${IMAGE_MANIFEST_FILE}'s`] };
}

/** One format: the container's bytes against image.json, then what is inside against the payload manifest. */
async function checkFormat(folder: string, format: Format, image: ImageManifest, manifest: Manifest | undefined, detached: Uint8Array | undefined, trusted: readonly PublicKey[], opts: CheckOptions): Promise<FormatReport> {
  const name = FORMAT_FILES[format];
  const file = join(folder, name);
  const problems: string[] = [];
  const copyDir = join(opts.workDir, `copy-${format}`);
  if (opts.copy) await mkdir(copyDir, { recursive: true });
  const files = new Map<string, Uint8Array>();
  for (const entry of image.files.filter((f) => f.path === name || f.path.startsWith(`${name}/`))) {
    const at = join(folder, entry.path);
    try {
      if (format === "kernel") {
        // The kernel folder's files are small and used whole.
        if (entry.size > KEEP_MAX_BYTES) throw new UnsafeFile(`${entry.path}: ${entry.size} B, more than a kernel folder's file may have`);
        const data = await readSmallFile(at, entry.path, entry.size);
        if (data.length !== entry.size) problems.push(`${entry.path}: ${data.length} B, ${IMAGE_MANIFEST_FILE} says ${entry.size} B`);
        else if (sha256Hex(data) !== entry.sha256) problems.push(`${entry.path}: SHA-256 ${sha256Hex(data)} differs from ${IMAGE_MANIFEST_FILE}'s ${entry.sha256}`);
        else files.set(entry.path.slice(name.length + 1), data);
      } else {
        const hashed = await hashFile(at, entry.path, { expectedSize: entry.size, ...(opts.copy ? { copyTo: join(copyDir, name) } : {}) });
        if (hashed.sha256 !== entry.sha256) problems.push(`${entry.path}: SHA-256 ${hashed.sha256} differs from ${IMAGE_MANIFEST_FILE}'s ${entry.sha256}`);
      }
    } catch (e) {
      if (!(e instanceof UnsafeFile)) throw e;
      problems.push(e.message.endsWith(": missing") ? `${entry.path}: listed in ${IMAGE_MANIFEST_FILE} but missing` : e.message);
    }
  }
  const container = format !== "kernel" && opts.copy ? join(copyDir, name) : file;
  const base = { format, file, ...(format !== "kernel" && opts.copy ? { copy: container } : {}) };
  // A container whose bytes are not the signed ones is never opened.
  if (problems.length || !manifest) return { ...base, ok: false, problems, files };
  const inner = await readInside(format, container, files, image, manifest, detached, trusted, opts.workDir);
  return { ...base, ...inner.report, ok: inner.report.ok, files: inner.files };
}

async function readInside(
  format: Format,
  container: string,
  kernelFiles: Map<string, Uint8Array>,
  image: ImageManifest,
  manifest: Manifest,
  detached: Uint8Array | undefined,
  trusted: readonly PublicKey[],
  workDir: string,
): Promise<{ report: ImageReport; files: ReadonlyMap<string, Uint8Array> }> {
  if (format === "bundle") {
    const report = await verifyBundle(container, trusted, detached);
    const problems = [...report.problems, ...sameManifest(report.files.get(MANIFEST_FILE), image)];
    return { report: { ...report, ok: problems.length === 0, problems }, files: report.files };
  }
  if (format === "kernel") {
    const report = verifyFiles(kernelFiles, trusted, { subset: true, ...(detached ? { signature: detached } : {}) });
    const problems = [...report.problems, ...sameManifest(kernelFiles.get(MANIFEST_FILE), image)];
    return { report: { ...report, ok: problems.length === 0, problems }, files: kernelFiles };
  }
  const wanted: Wanted[] = [
    ...manifest.files.map((f) => ({ path: f.path, maxBytes: f.size })),
    { path: MANIFEST_FILE, maxBytes: MANIFEST_MAX_BYTES },
    ...(detached ? [] : [{ path: SIGNATURE_FILE, maxBytes: SIGNATURE_MAX_BYTES }]),
    ...carriedFiles(image.generations).map((path) => ({ path, maxBytes: path.endsWith(".json") ? MANIFEST_MAX_BYTES : path.endsWith(".sig") ? SIGNATURE_MAX_BYTES : KEEP_MAX_BYTES })),
  ];
  const extracted = await extractFiles(format, container, wanted, workDir);
  const files = extracted.files;
  // A signature the build did not put inside (signed later, `exo sign`) is not an error inside the container.
  const problems = extracted.problems.filter((p) => !(p.startsWith(`${SIGNATURE_FILE}:`) || /^generations\/\d+\/manifest\.sig:/.test(p)));
  if (format === "iso" && files.has("boot/grub/eltorito.img")) files.set("boot/grub/eltorito.img", unpatchEltorito(files.get("boot/grub/eltorito.img")!));
  if (format === "raw") problems.push(...(await checkDiskGap(container, files)));
  const older = verifyOlderGenerations(files, trusted, image.generations, image);
  const own = new Map([...files].filter(([name]) => !older.accounted.has(name)));
  const report = verifyFiles(own, trusted, detached && !own.has(SIGNATURE_FILE) ? { signature: detached } : {});
  const all = [...report.problems, ...older.problems, ...problems, ...sameManifest(files.get(MANIFEST_FILE), image)];
  return { report: { ...report, ok: all.length === 0, problems: all }, files };
}

function sameManifest(bytes: Uint8Array | undefined, image: ImageManifest): string[] {
  return bytes && sha256Hex(bytes) !== image.payloadManifest.sha256 ? [`${MANIFEST_FILE}: differs from the payload manifest ${IMAGE_MANIFEST_FILE} names`] : [];
}

/** The GRUB core image in the disk's gap must be the signed core.img, placed as the builder placed it. */
async function checkDiskGap(file: string, files: ReadonlyMap<string, Uint8Array>): Promise<string[]> {
  const core = files.get("boot/grub/core.img");
  if (!core) return [];
  const expected = placeCore(core);
  const actual = (await readHead(file, SECTOR + expected.length)).subarray(SECTOR);
  return Buffer.compare(expected, actual) === 0 ? [] : ["disk sectors 1..: the GRUB core image before the partition differs from boot/grub/core.img"];
}
