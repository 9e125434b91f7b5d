// The `iso` format: a hybrid BIOS+UEFI CD image made by xorriso from the
// payload tree, with every date fixed to SOURCE_DATE_EPOCH, so two builds
// give the same bytes. BIOS boots GRUB's El Torito image; UEFI boots
// \EFI\BOOT\BOOTX64.EFI from the El Torito EFI image (efi.img).
export const ISO_FILE = "exo.iso";

/**
 * xorriso patches the El Torito image as it masters the CD: a boot
 * information table at bytes 8-63 (zero in GRUB's image) and, for
 * --grub2-boot-info, the 64-bit LBA at 2548 (2 in GRUB's image). Checking
 * the ISO puts GRUB's values back; the bootloader builder checks that a
 * fresh image has them, so a GRUB that changes them fails loudly.
 */
const BOOT_INFO_TABLE = { from: 8, to: 64 };
const GRUB2_BOOT_INFO = { at: 2548, pristine: 2n };

/** ISO 9660 date for --modification-date: YYYYMMDDhhmmsscc in UTC. */
export function isoDate(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}00`;
}

/**
 * xorriso's command line. Nothing in it depends on the order the host lists
 * the tree's folders in: libisofs sorts each directory's records by name
 * (ISO 9660 and Rock Ridge share them; there is no Joliet tree) and lays
 * file data out in its own tree order, with the boot images first; checked
 * by building under disorderfs (tests/cli/images.test.ts). `diskGuid` (RFC
 * 4122 text, from generator/image/identity.ts) replaces the GPT disk GUID
 * xorriso would otherwise derive from the volume date, the same for every
 * image of one epoch; it varies the partition GUIDs from it. It is set with
 * xorriso's own -boot_image command, which the mkisofs emulation lacks,
 * before `-as mkisofs`, whose settings it keeps.
 */
export function xorrisoArgs(opts: { tree: string; output: string; hybridMbr: string; epoch: number; volumeId: string; diskGuid: string }): string[] {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(opts.diskGuid)) throw new Error(`not a GUID: ${opts.diskGuid}`);
  const date = isoDate(opts.epoch);
  return [
    "-boot_image", "any", `gpt_disk_guid=${opts.diskGuid}`,
    "-as", "mkisofs",
    "-graft-points",
    `--modification-date=${date}`,
    "--set_all_file_dates", date,
    "--boot-catalog-hide",
    "-b", "boot/grub/eltorito.img", "-no-emul-boot", "-boot-load-size", "4", "-boot-info-table", "--grub2-boot-info",
    "--grub2-mbr", opts.hybridMbr,
    "--efi-boot", "efi.img", "-efi-boot-part", "--efi-boot-image",
    "--protective-msdos-label",
    "-r", "-V", opts.volumeId,
    "-o", opts.output,
    opts.tree,
  ];
}

/** The El Torito image as GRUB made it: the bytes xorriso patched set back to GRUB's values. */
export function unpatchEltorito(data: Uint8Array): Uint8Array {
  const copy = Buffer.from(data);
  if (copy.length < GRUB2_BOOT_INFO.at + 8) return copy;
  copy.fill(0, BOOT_INFO_TABLE.from, BOOT_INFO_TABLE.to);
  copy.writeBigUInt64LE(GRUB2_BOOT_INFO.pristine, GRUB2_BOOT_INFO.at);
  return copy;
}

/** True when GRUB's El Torito image has the values xorriso will patch, so that unpatchEltorito restores it exactly. */
export function isPristineEltorito(data: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(data), unpatchEltorito(data)) === 0;
}
