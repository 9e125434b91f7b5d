// Every byte of every container is covered: bytes that carry no file (an
// ISO's system area, its El Torito catalog and boot-information table, a
// disk's MBR, core-location field and the gap after GRUB's core, a FAT's
// structures, tar headers and padding, data appended to any of them) are
// changed one case at a time, and each is refused by the container's hash
// in the signed image.json, before the container is opened.
import test from "ava";
import { appendFile, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { FORMAT_FILES, type Format } from "../../generator/image/read.ts";
import { type Built, buildImage, check, copyFormat, problemsOf, Tally } from "./corpus.ts";

const SECTOR = 512;
const CD_SECTOR = 2048;

interface Layout {
  /** El Torito boot catalog, and GRUB's boot image, as byte offsets in the ISO. */
  readonly catalog: number;
  readonly bootImage: number;
  /** Bytes of GRUB's core.img in the raw disk's gap, from sector 1. */
  readonly coreBytes: number;
  /** The raw disk's partition: its first byte. */
  readonly partition: number;
}

let built: Built;
let layout: Layout;
const tally = new Tally();

test.before(async () => {
  built = await buildImage();
  const iso = await readFile(join(built.result, FORMAT_FILES.iso));
  const bootRecord = iso.subarray(17 * CD_SECTOR, 18 * CD_SECTOR);
  if (bootRecord.toString("latin1", 7, 30) !== "EL TORITO SPECIFICATION") throw new Error("no El Torito boot record in sector 17");
  const catalog = bootRecord.readUInt32LE(0x47) * CD_SECTOR;
  const bootImage = iso.readUInt32LE(catalog + 32 + 8) * CD_SECTOR;
  const manifest = JSON.parse(await readFile(join(built.result, "manifest.json"), "utf8")) as { files: { path: string; size: number }[] };
  const core = manifest.files.find((f) => f.path === "boot/grub/core.img")!;
  const raw = await readFile(join(built.result, FORMAT_FILES.raw));
  layout = { catalog, bootImage, coreBytes: Math.ceil(core.size / SECTOR) * SECTOR, partition: raw.readUInt32LE(0x1be + 8) * SECTOR };
});

test.after.always((t) => {
  for (const line of tally.lines()) t.log(line);
});

type Mutation = (file: string) => Promise<void>;
const flip = (at: (l: Layout) => number): Mutation => async (file) => {
  const bytes = await readFile(file);
  const i = at(layout);
  if (i >= bytes.length) throw new Error(`offset ${i} is past the end of ${file}`);
  bytes[i] = bytes[i]! ^ 0x5a;
  await writeFile(file, bytes);
};
const append: Mutation = (file) => appendFile(file, Buffer.concat([Buffer.from([0xfa, 0xeb, 0xfe]), Buffer.alloc(509, 0x90)]));
const cut: Mutation = async (file) => truncate(file, (await readFile(file)).length - SECTOR);

const cases: readonly { kind: string; format: Format; what: string; mutate: Mutation }[] = [
  { kind: "boot-area bytes", format: "iso", what: "ISO system area: hybrid MBR boot code", mutate: flip(() => 0x40) },
  { kind: "boot-area bytes", format: "iso", what: "ISO system area: GRUB's core-location field (0x1b0)", mutate: flip(() => 0x1b0) },
  { kind: "boot-area bytes", format: "iso", what: "ISO system area: partition table", mutate: flip(() => 0x1be + 8) },
  { kind: "boot-area bytes", format: "iso", what: "ISO system area: beyond the MBR", mutate: flip(() => 4 * SECTOR + 7) },
  { kind: "boot-area bytes", format: "iso", what: "ISO primary volume descriptor", mutate: flip(() => 16 * CD_SECTOR + 40) },
  { kind: "catalog pointers", format: "iso", what: "El Torito boot record: catalog pointer", mutate: flip(() => 17 * CD_SECTOR + 0x47) },
  { kind: "catalog pointers", format: "iso", what: "El Torito catalog: validation entry", mutate: flip((l) => l.catalog + 4) },
  { kind: "catalog pointers", format: "iso", what: "El Torito catalog: boot image pointer", mutate: flip((l) => l.catalog + 32 + 8) },
  { kind: "catalog pointers", format: "iso", what: "El Torito catalog: load size", mutate: flip((l) => l.catalog + 32 + 6) },
  { kind: "catalog pointers", format: "iso", what: "El Torito catalog: EFI section", mutate: flip((l) => l.catalog + 64 + 8) },
  { kind: "boot-area bytes", format: "iso", what: "boot-information table in GRUB's El Torito image", mutate: flip((l) => l.bootImage + 12) },
  { kind: "boot-area bytes", format: "iso", what: "GRUB2 boot-info LBA in the El Torito image", mutate: flip((l) => l.bootImage + 2548) },
  { kind: "boot-area bytes", format: "iso", what: "GRUB's El Torito code", mutate: flip((l) => l.bootImage + 100) },
  { kind: "appended data", format: "iso", what: "a sector of code appended to the ISO", mutate: append },
  { kind: "appended data", format: "iso", what: "the ISO cut short", mutate: cut },
  { kind: "MBR fields", format: "raw", what: "MBR boot code", mutate: flip(() => 0x10) },
  { kind: "MBR fields", format: "raw", what: "MBR core-location field (0x5c)", mutate: flip(() => 0x5c) },
  { kind: "MBR fields", format: "raw", what: "MBR boot drive (0x64)", mutate: flip(() => 0x64) },
  { kind: "MBR fields", format: "raw", what: "MBR disk signature", mutate: flip(() => 0x1b8) },
  { kind: "MBR fields", format: "raw", what: "MBR partition start", mutate: flip(() => 0x1be + 8) },
  { kind: "MBR fields", format: "raw", what: "MBR partition type", mutate: flip(() => 0x1be + 4) },
  { kind: "MBR fields", format: "raw", what: "MBR boot signature", mutate: flip(() => 0x1fe) },
  { kind: "boot-area bytes", format: "raw", what: "GRUB core.img's blocklist", mutate: flip(() => 2 * SECTOR - 12) },
  { kind: "boot-area bytes", format: "raw", what: "GRUB core.img's code", mutate: flip(() => SECTOR + 300) },
  { kind: "boot-area bytes", format: "raw", what: "the gap after GRUB's core", mutate: flip((l) => SECTOR + l.coreBytes + 100) },
  { kind: "boot-area bytes", format: "raw", what: "the last byte before the partition", mutate: flip((l) => l.partition - 1) },
  { kind: "boot-area bytes", format: "raw", what: "FAT boot sector of the partition", mutate: flip((l) => l.partition + 3) },
  { kind: "boot-area bytes", format: "raw", what: "FAT table", mutate: flip((l) => l.partition + 32 * SECTOR + 20) },
  { kind: "appended data", format: "raw", what: "a sector of code appended to the disk", mutate: append },
  { kind: "appended data", format: "raw", what: "the disk cut short", mutate: cut },
  { kind: "appended data", format: "bundle", what: "bytes after the bundle's end-of-archive marker", mutate: append },
  { kind: "boot-area bytes", format: "bundle", what: "a tar header's mtime", mutate: flip(() => 140) },
  { kind: "boot-area bytes", format: "bundle", what: "the first tar entry's data", mutate: flip(() => SECTOR + 5) },
];

for (const c of cases) {
  test(`${c.kind}: ${c.what} is refused by the ${c.format} container's hash`, async (t) => {
    const copy = await copyFormat(built.result, FORMAT_FILES[c.format]);
    const file = join(copy, FORMAT_FILES[c.format]);
    await c.mutate(file);
    const result = await check(copy, built.trusted, [c.format]);
    const problems = problemsOf(result);
    tally.add(c.kind, !result.ok);
    t.false(result.ok, `${c.what} was accepted`);
    t.regex(problems, new RegExp(`${FORMAT_FILES[c.format].replace(".", "\\.")}: (SHA-256 [0-9a-f]{64} differs from image\\.json's|\\d+ B, the signed manifest says \\d+ B)`));
    // The container that failed its hash is never opened: no file inside it is named.
    t.notRegex(problems, /boot\/kernel\.elf|manifest\.json:/);
  });
}

test("the untouched containers pass, so each refusal above is the tampering's", async (t) => {
  for (const format of ["iso", "raw", "bundle"] as const) {
    const copy = await copyFormat(built.result, FORMAT_FILES[format]);
    const result = await check(copy, built.trusted, [format]);
    t.true(result.ok, problemsOf(result));
  }
});

for (const [what, mutate] of [
  ["deleted", (dir: string) => rm(join(dir, "kernel/boot/initrd.tar"))],
  ["replaced by an older one", (dir: string) => writeFile(join(dir, "kernel/boot/kernel.elf"), Buffer.alloc(4096, 0xcc))],
  ["joined by an extra file", (dir: string) => writeFile(join(dir, "kernel/boot/evil.elf"), "code")],
] as const) {
  test(`a kernel folder with a file ${what} is refused`, async (t) => {
    const copy = await copyFormat(built.result, "kernel");
    await mutate(copy);
    const result = await check(copy, built.trusted, ["kernel"]);
    tally.add("kernel folder files", !result.ok);
    t.false(result.ok);
    t.regex(problemsOf(result), /kernel\/boot\/(initrd\.tar: listed in image\.json but missing|kernel\.elf: SHA-256|evil\.elf: beside the image but not in image\.json)|kernel\/boot\/kernel\.elf: \d+ B/);
  });
}

test("a detached manifest.sig beside the image cannot replace the one image.json lists", async (t) => {
  const copy = await copyFormat(built.result, FORMAT_FILES.bundle);
  const sig = JSON.parse(await readFile(join(copy, "manifest.sig"), "utf8")) as { signature: string };
  const bytes = Buffer.from(sig.signature, "base64");
  bytes[10] = bytes[10]! ^ 1;
  await writeFile(join(copy, "manifest.sig"), `${JSON.stringify({ ...sig, signature: bytes.toString("base64") }, null, 2)}\n`);
  const result = await check(copy, built.trusted, ["bundle"]);
  tally.add("detached signature", !result.ok);
  t.false(result.ok);
  t.regex(problemsOf(result), /manifest\.sig: SHA-256 [0-9a-f]{64} differs from image\.json's/);
});
