// What a disk or CD carries besides its files: GPT GUIDs, FAT serials, the
// MBR signature, every date and the FAT layout. Each must come from the
// image's content and `image.sourceDateEpoch`, never from the clock, chance
// or the order the host lists a folder in; and `exo build --check` must
// name the container that differs.
import test from "ava";
import { createHash } from "node:crypto";
import { chmod, readFile, readlink, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { guidFromDisk, identityFromDigest, imageIdentity } from "../../generator/image/identity.ts";
import { xorrisoArgs } from "../../generator/image/iso.ts";
import { espFolders, PARTITION_START } from "../../generator/image/raw.ts";
import { exo, fixture, profile, tempProject } from "../helpers/exo.ts";
import { fatDateTime, type FatVolume, readFat } from "./fat.ts";
import { gptDiskGuid, gptPartitionGuids, isoDates } from "./iso9660.ts";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** 2000-02-29T12:34:57Z: a leap day and an odd second, which FAT stores as 56. */
const EPOCH = 951_827_697;

test("identifiers are RFC 4122 version-4-shaped GUIDs and 32-bit numbers, each from its own bytes of the digest", (t) => {
  const a = identityFromDigest(Buffer.alloc(32, 0xff));
  t.regex(a.diskGuid, GUID);
  t.is(a.diskGuid, "ffffffff-ffff-4fff-bfff-ffffffffffff");
  const digest = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
  const b = identityFromDigest(digest);
  t.is(b.diskGuid, "00010203-0405-4607-8809-0a0b0c0d0e0f");
  t.is(b.fatSerial, 0x10111213);
  t.is(b.mbrSignature, 0x14151617);
  t.deepEqual(identityFromDigest(digest), b, "the same digest gives the same identifiers");
  const other = imageIdentity(Buffer.from("{}"));
  t.not(other.diskGuid, imageIdentity(Buffer.from("{ }")).diskGuid, "another manifest, another GUID");
  t.deepEqual(imageIdentity(Buffer.from("{}")), identityFromDigest(createHash("sha256").update("{}").digest()));
  t.throws(() => identityFromDigest(Buffer.alloc(20)));
});

test("GUIDs read back from disk with UEFI's byte order (xorriso's own example)", (t) => {
  t.is(guidFromDisk(Buffer.from("2acd0323c7734a42a29825632da7f446", "hex")), "2303cd2a-73c7-424a-a298-25632da7f446");
});

test("xorriso gets the disk GUID before its mkisofs emulation starts, and nothing else", (t) => {
  const args = xorrisoArgs({ tree: "t", output: "o.iso", hybridMbr: "m", epoch: EPOCH, volumeId: "V", diskGuid: "00010203-0405-4607-8809-0a0b0c0d0e0f" });
  t.deepEqual(args.slice(0, 5), ["-boot_image", "any", "gpt_disk_guid=00010203-0405-4607-8809-0a0b0c0d0e0f", "-as", "mkisofs"]);
  t.throws(() => xorrisoArgs({ tree: "t", output: "o.iso", hybridMbr: "m", epoch: EPOCH, volumeId: "V", diskGuid: "random" }));
});

test("the EFI system partition's folders: each parent once, before its children, sorted", (t) => {
  t.deepEqual(espFolders(["sbom.spdx.json", "boot/grub/grub.cfg", "EFI/BOOT/BOOTX64.EFI", "boot/kernel.elf", "boot-x/a", "generations/2/boot/kernel.elf"]), [
    "EFI",
    "EFI/BOOT",
    "boot",
    "boot-x",
    "boot/grub",
    "generations",
    "generations/2",
    "generations/2/boot",
  ]);
});

// Built once: two profiles, one of them twice into two stores, and one with another epoch.
interface Built {
  readonly dir: string;
  readonly manifest: Buffer;
  readonly iso: Buffer;
  readonly disk: Buffer;
}
let project = "";
const built = new Map<string, Built>();

async function build(name: string, profilePath: string, extra: string[] = []): Promise<void> {
  const r = await exo(["build", profilePath, "--out-link", name, ...extra], { cwd: project });
  if (r.code !== 0) throw new Error(`building ${name} failed: ${r.stderr}`);
  const dir = join(project, name);
  const [manifest, iso, disk] = await Promise.all(["manifest.json", "exo.iso", "disk.raw"].map((f) => readFile(join(dir, f))));
  built.set(name, { dir, manifest: manifest!, iso: iso!, disk: disk! });
}

test.before(async () => {
  project = await tempProject();
  await writeFile(join(project, "epoch.yaml"), `imports:\n  - ${JSON.stringify(fixture("all-formats.ts"))}\nimage:\n  sourceDateEpoch: ${EPOCH}\n`);
  await build("server", profile("server.ts"));
  await build("formats", fixture("all-formats.ts"));
  await build("formats-again", fixture("all-formats.ts"), ["--store", join(project, "store-again")]);
  await build("epoch", join(project, "epoch.yaml"));
});

const esp = (b: Built): FatVolume => readFat(b.disk.subarray(PARTITION_START * 512));

test.serial("two profiles' ISOs have different GPT disk and partition GUIDs; the same profile built twice has the same", (t) => {
  const guid = (name: string) => gptDiskGuid(built.get(name)!.iso);
  for (const name of built.keys()) {
    t.regex(guid(name) ?? "", GUID, `${name}: a version-4-shaped GPT disk GUID`);
    t.is(guid(name), imageIdentity(built.get(name)!.manifest).diskGuid, `${name}: the GUID comes from the payload manifest's SHA-256`);
  }
  t.not(guid("server"), guid("formats"));
  t.not(guid("formats"), guid("epoch"), "another epoch is another manifest, so another GUID");
  t.is(guid("formats"), guid("formats-again"));
  t.true(built.get("formats")!.iso.equals(built.get("formats-again")!.iso), "and the same bytes");
  const server = gptPartitionGuids(built.get("server")!.iso);
  const formats = gptPartitionGuids(built.get("formats")!.iso);
  t.true(server.length >= 1);
  t.deepEqual(server.filter((g) => formats.includes(g)), [], "no partition GUID is shared between the two");
  t.deepEqual(formats, gptPartitionGuids(built.get("formats-again")!.iso));
});

test.serial("the raw disk's FAT serial and MBR signature derive from the payload manifest's SHA-256; efi.img's serial from the file it carries", (t) => {
  for (const [name, b] of built) {
    const identity = imageIdentity(b.manifest);
    const volume = esp(b);
    t.is(volume.serial, identity.fatSerial, `${name}: FAT serial`);
    t.is(b.disk.readUInt32LE(0x1b8), identity.mbrSignature, `${name}: MBR disk signature`);
    const efi = readFat(volume.read("efi.img"));
    const app = efi.read("EFI/BOOT/BOOTX64.EFI");
    t.true(app.equals(volume.read("EFI/BOOT/BOOTX64.EFI")));
    t.is(efi.serial, identityFromDigest(createHash("sha256").update(app).digest()).fatSerial, `${name}: efi.img's serial`);
  }
  const serial = (name: string) => esp(built.get(name)!).serial;
  t.not(serial("server"), serial("formats"));
  t.is(serial("formats"), serial("formats-again"));
  t.not(built.get("server")!.disk.readUInt32LE(0x1b8), built.get("formats")!.disk.readUInt32LE(0x1b8));
});

test.serial("every FAT and ISO 9660 date comes from image.sourceDateEpoch", (t) => {
  const b = built.get("epoch")!;
  const want = fatDateTime(EPOCH);
  t.deepEqual(want, { date: (20 << 9) | (2 << 5) | 29, time: (12 << 11) | (34 << 5) | 28 });
  const volume = esp(b);
  for (const [label, fat] of [["disk.raw", volume], ["efi.img", readFat(volume.read("efi.img"))]] as const) {
    t.true(fat.entries.length >= 5, `${label}: entries found`);
    for (const e of fat.entries) {
      const where = `${label}: ${e.path}`;
      t.deepEqual({ date: e.written.date, time: e.written.time }, want, `${where}: modification date`);
      t.deepEqual({ date: e.created.date, time: e.created.time }, want, `${where}: creation date`);
      t.true(e.created.tenths === 0 || e.created.tenths === (EPOCH % 2) * 100, `${where}: creation time's hundredths (${e.created.tenths})`);
      t.is(e.accessed, want.date, `${where}: access date`);
    }
    t.truthy(fat.entries.find((e) => e.attributes & 0x08), `${label}: the volume label's entry is among them`);
  }
  const dates = isoDates(b.iso);
  t.true(dates.filter((d) => / TF /.test(d.where)).length >= 10, "Rock Ridge time stamps found");
  for (const d of dates) {
    if (d.epoch === null) t.regex(d.where, /^PVD (expiration|effective)$/, `${d.where}: only these may be left unspecified`);
    else t.is(d.epoch, EPOCH, d.where);
  }
  t.is(dates.find((d) => d.where === "PVD creation")?.epoch, EPOCH);
  t.is(dates.find((d) => d.where === "PVD modification")?.epoch, EPOCH);
});

test.serial("the EFI system partition is laid out in sorted path order: folders first, then each file's clusters", (t) => {
  for (const [name, b] of built) {
    const volume = esp(b);
    const real = volume.entries.filter((e) => !(e.attributes & 0x08) && !/(^|\/)\.\.?$/.test(e.path));
    const byFolder = new Map<string, string[]>();
    for (const e of real) {
      const at = e.path.lastIndexOf("/");
      const folder = at < 0 ? "" : e.path.slice(0, at);
      byFolder.set(folder, [...(byFolder.get(folder) ?? []), e.path]);
    }
    const sortedFolders = [...byFolder.keys()].sort();
    for (const folder of sortedFolders) {
      const entries = byFolder.get(folder)!;
      const folders = entries.filter((p) => sortedFolders.includes(p));
      const files = entries.filter((p) => !sortedFolders.includes(p));
      t.deepEqual(entries, [...folders.sort(), ...files.sort()], `${name}: /${folder} lists its folders, then its files, each sorted`);
    }
    const files = real.filter((e) => !(e.attributes & 0x10) && e.size > 0);
    const inPathOrder = [...files].sort((x, y) => (x.path < y.path ? -1 : 1));
    const inClusterOrder = [...files].sort((x, y) => x.firstCluster - y.firstCluster);
    t.deepEqual(inClusterOrder.map((e) => e.path), inPathOrder.map((e) => e.path), `${name}: file data in sorted path order`);
  }
});

test.serial("exo build --check names the container that differs: disk.raw, exo.iso", async (t) => {
  const stored = resolve(project, await readlink(join(project, "formats")));
  for (const container of ["disk.raw", "exo.iso"]) {
    const file = join(stored, container);
    const original = await readFile(file);
    const tampered = Buffer.from(original);
    const at = Math.floor(tampered.length / 2);
    tampered[at] = tampered[at]! ^ 0x01;
    await chmod(file, 0o644);
    await writeFile(file, tampered);
    try {
      const r = await exo(["build", fixture("all-formats.ts"), "--check", "--no-link"], { cwd: project });
      t.is(r.code, 1, r.stderr);
      t.regex(r.stderr, new RegExp(`derivation image is not reproducible: ${container.replace(".", "\\.")} differs \\(stored sha256 [0-9a-f]{16}…, new [0-9a-f]{16}…\\)`));
    } finally {
      await writeFile(file, original);
      await chmod(file, 0o444);
    }
  }
  const clean = await exo(["build", fixture("all-formats.ts"), "--check", "--no-link"], { cwd: project });
  t.is(clean.code, 0, clean.stderr);
  t.regex(clean.stderr, /checked: \d+ derivations built again with identical bytes/);
});
