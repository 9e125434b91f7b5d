// Builder: GRUB's boot images, made with grub-mkimage so that they hold
// every module they need (no module folder on the image) and nothing that
// depends on the build machine: the El Torito image for BIOS CD boot, the
// core image for BIOS disk boot, the UEFI application and the FAT image
// that carries it on a CD.
import { createHash } from "node:crypto";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Builder } from "../../store/derivation.ts";
import { EARLY_CONFIG, GRUB_MODULES } from "../image/grub-cfg.ts";
import { identityFromDigest, serialArg } from "../image/identity.ts";
import { isPristineEltorito } from "../image/iso.ts";
import type { Tool } from "../toolchain.ts";
import { runTool } from "./exec.ts";
import { stampTree } from "./files.ts";
import { builderVersion } from "./version.ts";

export const GRUB_DIRS = { bios: "/usr/lib/grub/i386-pc", efi: "/usr/lib/grub/x86_64-efi" } as const;

export interface BootloaderTools {
  readonly grubMkimage: Tool;
  readonly mformat: Tool;
  readonly mmd: Tool;
  readonly mcopy: Tool;
}

export interface BootloaderArgs {
  readonly epoch: number;
}

/** Files of the bootloader output. */
export const BOOT_FILES = {
  eltorito: "eltorito.img",
  core: "core.img",
  efiApp: "BOOTX64.EFI",
  efiImage: "efi.img",
  bootSector: "boot.img",
  hybridMbr: "boot_hybrid.img",
} as const;

export function bootloaderBuilder(tools: BootloaderTools): Builder {
  const { grubMkimage } = tools;
  return {
    version: builderVersion(import.meta.url, { grub: [grubMkimage.version, grubMkimage.sha256], mtools: [tools.mformat.version, tools.mformat.sha256], modules: GRUB_MODULES, early: EARLY_CONFIG }),
    async run(ctx) {
      const { epoch } = ctx.args as unknown as BootloaderArgs;
      const run = (tool: Tool, args: string[], what: string) => runTool(tool, args, { cwd: ctx.tmp, epoch, what, log: ctx.log });
      await writeFile(join(ctx.tmp, "early.cfg"), EARLY_CONFIG);
      const mkimage = (dir: string, format: string, out: string, extra: string[]) =>
        run(grubMkimage, ["-d", dir, "-O", format, "-p", "/boot/grub", "-c", "early.cfg", "-o", join(ctx.out, out), ...extra, ...GRUB_MODULES], `grub-mkimage ${format}`);
      await mkimage(GRUB_DIRS.bios, "i386-pc-eltorito", BOOT_FILES.eltorito, ["biosdisk"]);
      if (!isPristineEltorito(await readFile(join(ctx.out, BOOT_FILES.eltorito)))) {
        throw new Error("GRUB's El Torito image does not hold the boot-information values exo expects (zeros at 8-63, 2 at 2548); ISO verification would fail");
      }
      await mkimage(GRUB_DIRS.bios, "i386-pc", BOOT_FILES.core, ["biosdisk"]);
      await mkimage(GRUB_DIRS.efi, "x86_64-efi", BOOT_FILES.efiApp, []);
      await copyFile(join(GRUB_DIRS.bios, "boot.img"), join(ctx.out, BOOT_FILES.bootSector));
      await copyFile(join(GRUB_DIRS.bios, "boot_hybrid.img"), join(ctx.out, BOOT_FILES.hybridMbr));

      // The FAT image a CD's El Torito EFI entry points at: \EFI\BOOT\BOOTX64.EFI, with the
      // serial from the SHA-256 of the one file it carries and every date from the epoch
      // (mtools reads SOURCE_DATE_EPOCH; mcopy -m keeps the stamped time). Folders one by
      // one, parents first, and the file to its exact path: no order comes from a readdir.
      const efiDir = join(ctx.tmp, "efi");
      await mkdir(efiDir);
      const efiApp = await readFile(join(ctx.out, BOOT_FILES.efiApp));
      await writeFile(join(efiDir, "BOOTX64.EFI"), efiApp);
      await stampTree(efiDir, epoch);
      const image = join(ctx.out, BOOT_FILES.efiImage);
      const serial = identityFromDigest(createHash("sha256").update(efiApp).digest()).fatSerial;
      await run(tools.mformat, ["-C", "-f", "2880", "-N", serialArg(serial), "-L", "16", "-v", "EXO-EFI", "-i", image, "::"], "mformat of the EFI image");
      await run(tools.mmd, ["-i", image, "::/EFI", "::/EFI/BOOT"], "mmd in the EFI image");
      await run(tools.mcopy, ["-m", "-i", image, join(efiDir, "BOOTX64.EFI"), "::/EFI/BOOT/BOOTX64.EFI"], "mcopy into the EFI image");
    },
  };
}
