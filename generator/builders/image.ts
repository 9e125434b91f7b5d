// Builder: the image formats a profile asks for (`image.formats`), each
// made from the same signed payload tree:
//   bundle    bundle.tar: every file, manifest and signature in one tar
//   kernel    kernel/: the kernel, initrd, manifest and signature, for qemu -kernel
//   iso       exo.iso: hybrid BIOS+UEFI CD image
//   raw       disk.raw: MBR disk with a FAT EFI system partition, BIOS+UEFI
//             (x86_64, GRUB), or U-Boot's extlinux.conf (the flat-Image ports)
// The image's manifest, signature and SBOM also sit at the top of the output,
// and image.json (signed in image.sig) lists every byte of all of it.
import { cp, mkdir, open, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Builder } from "../../store/derivation.ts";
import { writeBundle } from "../image/bundle.ts";
import { type ContentIdentity, imageIdentity, serialArg } from "../image/identity.ts";
import { ISO_FILE, xorrisoArgs } from "../image/iso.ts";
import { sealImage } from "../image/image-manifest.ts";
import { MANIFEST_FILE, manifestSchema, SIGNATURE_FILE } from "../image/manifest.ts";
import type { SecretKeyHandle } from "../sign/keys.ts";
import { addOlderGenerations } from "../image/older-generations.ts";
import { SBOM_FILE } from "../image/sbom.ts";
import { dataDiskRecord, masterBootRecord, placeCore, SECTOR } from "../image/mbr.ts";
import { ESP_TYPE, espFolders, PARTITION_START, partitionSectors, RAW_FILE } from "../image/raw.ts";
import type { Tool } from "../toolchain.ts";
import { BOOT_FILES } from "./bootloader.ts";
import { KERNEL_IMAGE_FILE } from "./outputs.ts";
import { runTool } from "./exec.ts";
import { listFiles, stampTree } from "./files.ts";
import { builderVersion } from "./version.ts";

export interface ImageTools {
  readonly xorriso: Tool;
  readonly mformat: Tool;
  readonly mmd: Tool;
  readonly mcopy: Tool;
}

export interface ImageArgs {
  readonly formats: readonly string[];
  /** Older generations the iso and raw boot menus offer; each payload is the input `generationInput(N)`. */
  readonly generations: readonly number[];
  readonly epoch: number;
  readonly volumeId: string;
  /** The key that signs image.json, or null for an unsigned build; the same that signed the payload. */
  readonly keyId: string | null;
}

export const BUNDLE_FILE = "bundle.tar";
export const generationInput = (n: number) => `generation${n}`;
export const KERNEL_DIR = "kernel";
/** The flat kernel Image in the payload, for ports that boot one. */
export const KERNEL_IMAGE_PATH = `boot/${KERNEL_IMAGE_FILE}`;

export function imageBuilder(tools: ImageTools, key?: SecretKeyHandle): Builder {
  return {
    version: builderVersion(import.meta.url, { xorriso: [tools.xorriso.version, tools.xorriso.sha256], mtools: [tools.mformat.version, tools.mformat.sha256] }),
    async run(ctx) {
      const args = ctx.args as unknown as ImageArgs;
      const payload = ctx.inputs.payload!;
      const boot = ctx.inputs.bootloader; // GRUB's images: only x86_64 plans have them
      const names = await listFiles(payload);
      const signed = names.includes(SIGNATURE_FILE);
      for (const top of signed ? [MANIFEST_FILE, SIGNATURE_FILE, SBOM_FILE] : [MANIFEST_FILE, SBOM_FILE]) await cp(join(payload, top), join(ctx.out, top));

      // A private copy of the tree with fixed times and modes, for the tools that copy them into images.
      const tree = join(ctx.tmp, "tree");
      await cp(payload, tree, { recursive: true });
      const older = args.generations.map((number) => ({ number, dir: ctx.inputs[generationInput(number)]! }));
      const manifestData = await readFile(join(payload, MANIFEST_FILE));
      const manifest = manifestSchema.parse(JSON.parse(manifestData.toString("utf8")));
      const identity = imageIdentity(manifestData);
      const carried = await addOlderGenerations(tree, older, manifest);
      const treeNames = [...names, ...carried.names].sort();
      await stampTree(tree, args.epoch);
      const run = (tool: Tool, argv: string[], what: string) => runTool(tool, argv, { cwd: ctx.tmp, epoch: args.epoch, what, log: ctx.log });

      for (const format of args.formats) {
        if (format === "bundle") {
          const files = new Map<string, Uint8Array>();
          for (const name of names) files.set(name, await readFile(join(payload, name)));
          await writeFile(join(ctx.out, BUNDLE_FILE), await writeBundle(files, args.epoch));
        } else if (format === "kernel") {
          const flat = names.includes(KERNEL_IMAGE_PATH) ? [KERNEL_IMAGE_PATH] : [];
          for (const name of ["boot/kernel.elf", ...flat, "boot/initrd.tar", ...(signed ? [MANIFEST_FILE, SIGNATURE_FILE] : [MANIFEST_FILE])]) {
            await mkdir(join(ctx.out, KERNEL_DIR, name, ".."), { recursive: true });
            await cp(join(payload, name), join(ctx.out, KERNEL_DIR, name));
          }
        } else if (format === "iso") {
          if (boot === undefined) throw new Error("the iso format needs GRUB's images (x86_64)");
          await run(tools.xorriso, xorrisoArgs({ tree, output: join(ctx.out, ISO_FILE), hybridMbr: join(boot, BOOT_FILES.hybridMbr), epoch: args.epoch, volumeId: args.volumeId, diskGuid: identity.diskGuid }), "xorriso making the ISO");
        } else if (format === "raw") {
          await writeRaw(ctx.tmp, tree, treeNames, boot, join(ctx.out, RAW_FILE), args, identity, run, tools);
        } else {
          throw new Error(`unknown image format ${format}`);
        }
      }
      if (args.keyId !== null && (!key || key.keyId !== args.keyId)) throw new Error(`the plan asks for image.json to be signed by key ${args.keyId}, but ${key ? `key ${key.keyId}` : "no key"} was loaded`);
      await sealImage(ctx.out, { manifest, bytes: manifestData }, carried.carried, args.keyId !== null ? await key!.load() : undefined);
    },
  };
}

/**
 * The raw disk. The FAT partition is written in an order of exo's own, never
 * the store's directory order (which differs between ext4, tmpfs and other
 * file systems): each folder made with mmd and each file copied to its own
 * path with mcopy, both in sorted path order. mtools allocates clusters and
 * directory entries in the order it is told, so the same files give the
 * same layout on any machine.
 */
async function writeRaw(
  tmp: string,
  tree: string,
  names: readonly string[],
  boot: string | undefined,
  output: string,
  args: ImageArgs,
  identity: ContentIdentity,
  run: (tool: Tool, argv: string[], what: string) => Promise<string>,
  tools: ImageTools,
): Promise<void> {
  let bytes = 0;
  for (const name of names) bytes += (await stat(join(tree, name))).size;
  const sectors = partitionSectors(bytes);
  const part = join(tmp, "esp.img");
  await run(tools.mformat, ["-C", "-T", String(sectors), "-h", "64", "-s", "32", "-H", String(PARTITION_START), "-N", serialArg(identity.fatSerial), "-v", args.volumeId, "-i", part, "::"], "mformat of the EFI system partition");
  const folders = espFolders(names);
  if (folders.length > 0) await run(tools.mmd, ["-i", part, ...folders.map((f) => `::/${f}`)], "mmd in the EFI system partition");
  for (const name of [...names].sort()) {
    await run(tools.mcopy, ["-m", "-i", part, join(tree, name), `::/${name}`], `mcopy of ${name} into the EFI system partition`);
  }

  const layout = { partitionStart: PARTITION_START, partitionSectors: sectors, diskSignature: identity.mbrSignature, partitionType: ESP_TYPE };
  // With GRUB (x86_64), BIOS runs boot.img's code in the MBR, which loads core.img from the gap; U-Boot reads the partition's files.
  const core = boot === undefined ? Buffer.alloc(0) : placeCore(await readFile(join(boot, BOOT_FILES.core)));
  if (1 + core.length / SECTOR > PARTITION_START) throw new Error(`GRUB's core.img (${core.length} B) does not fit before the partition`);
  const mbr = boot === undefined ? dataDiskRecord(layout) : masterBootRecord(await readFile(join(boot, BOOT_FILES.bootSector)), layout);
  const disk = await open(output, "w");
  try {
    await disk.write(mbr, 0, mbr.length, 0);
    await disk.write(core, 0, core.length, SECTOR);
    const partition = await readFile(part);
    await disk.write(partition, 0, partition.length, PARTITION_START * SECTOR);
    await disk.truncate((PARTITION_START + sectors) * SECTOR);
  } finally {
    await disk.close();
  }
}
