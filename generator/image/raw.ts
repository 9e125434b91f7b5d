// The `raw` format: a disk image with an MBR partition table whose one
// partition is an EFI system partition (FAT) holding the payload tree.
// UEFI firmware boots \EFI\BOOT\BOOTX64.EFI from it; BIOS runs boot.img
// in the MBR, which loads GRUB's core.img from the gap before the partition.
export const RAW_FILE = "disk.raw";
/** 1 MiB before the partition, as partitioning tools align it; core.img must fit in the gap. */
export const PARTITION_START = 2048;
export const ESP_TYPE = 0xef;

/** The partition's size in sectors: room for the files and a margin, at least 16 MiB, in whole MiB. */
export function partitionSectors(payloadBytes: number): number {
  const mib = Math.max(16, Math.ceil((payloadBytes * 1.25) / (1 << 20)) + 2);
  return mib * 2048;
}

/** The first partition's start and size, read back from a disk's MBR. */
export function firstPartition(mbr: Uint8Array): { start: number; sectors: number } {
  const view = Buffer.from(mbr.buffer, mbr.byteOffset, mbr.byteLength);
  if (view.readUInt16LE(0x1fe) !== 0xaa55) throw new Error("no MBR boot signature (0x55aa) in sector 0");
  return { start: view.readUInt32LE(0x1be + 8), sectors: view.readUInt32LE(0x1be + 12) };
}

/**
 * Every folder the files `names` (paths relative to the partition's root)
 * need, parents before children, in sorted order: what `mmd` makes before
 * the files are copied one by one.
 */
export function espFolders(names: readonly string[]): string[] {
  const folders = new Set<string>();
  for (const name of names) {
    const parts = name.split("/");
    for (let i = 1; i < parts.length; i++) folders.add(parts.slice(0, i).join("/"));
  }
  // A parent is a prefix of its children, so it sorts before them.
  return [...folders].sort();
}
