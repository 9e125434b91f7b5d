// A BIOS-bootable disk without grub-install: what grub-bios-setup does,
// done on bytes. Sector 0 gets boot.img's code and one partition entry;
// core.img sits in the gap after it, with its first blocklist pointing
// at its own remaining sectors. Offsets from GRUB's i386/pc/boot.h.
export const SECTOR = 512;
const BOOT_CODE_END = 0x1b8; // boot.img's code; the disk signature and partition table follow
const KERNEL_SECTOR = 0x5c; // u64: LBA of core.img's first sector
const BOOT_DRIVE = 0x64; // 0xff: use the drive the BIOS booted from
const DRIVE_CHECK = 0x66; // a jump for floppies; two NOPs on hard disks
const BLOCKLIST_SIZE = 12; // u64 start, u16 length, u16 segment, at the end of core.img's first sector
const CORE_SEGMENT = 0x800 + (SECTOR >> 4);

export interface DiskLayout {
  /** 512-byte sectors before the partition: the MBR and the gap core.img lives in. */
  readonly partitionStart: number;
  readonly partitionSectors: number;
  /** Written at 0x1b8; from the payload manifest's SHA-256 (identity.ts), so the disk is named by its content rather than at random. */
  readonly diskSignature: number;
  /** MBR partition type: 0xef, an EFI system partition (FAT), which UEFI firmware boots from. */
  readonly partitionType: number;
}

/** Sector 0: boot.img's code, the disk signature, one bootable partition, and 0x55aa. */
export function masterBootRecord(bootImg: Uint8Array, layout: DiskLayout, coreStart = 1): Buffer {
  if (bootImg.length !== SECTOR) throw new Error(`boot.img is ${bootImg.length} bytes, not ${SECTOR}`);
  const mbr = Buffer.alloc(SECTOR);
  Buffer.from(bootImg).copy(mbr, 0, 0, BOOT_CODE_END);
  mbr.writeBigUInt64LE(BigInt(coreStart), KERNEL_SECTOR);
  mbr[BOOT_DRIVE] = 0xff;
  mbr.writeUInt16LE(0x9090, DRIVE_CHECK);
  writePartitionTable(mbr, layout);
  return mbr;
}

/**
 * Sector 0 of a disk that firmware boots from its files, not from the MBR's
 * code (U-Boot reads extlinux.conf from the partition): no code, the disk
 * signature, one bootable partition, and 0x55aa.
 */
export function dataDiskRecord(layout: DiskLayout): Buffer {
  const mbr = Buffer.alloc(SECTOR);
  writePartitionTable(mbr, layout);
  return mbr;
}

function writePartitionTable(mbr: Buffer, layout: DiskLayout): void {
  mbr.writeUInt32LE(layout.diskSignature >>> 0, BOOT_CODE_END);
  const entry = 0x1be;
  mbr[entry] = 0x80; // bootable
  mbr.set([0xfe, 0xff, 0xff], entry + 1); // CHS unused: LBA only
  mbr[entry + 4] = layout.partitionType;
  mbr.set([0xfe, 0xff, 0xff], entry + 5);
  mbr.writeUInt32LE(layout.partitionStart, entry + 8);
  mbr.writeUInt32LE(layout.partitionSectors, entry + 12);
  mbr.writeUInt16LE(0xaa55, 0x1fe);
}

/** core.img with its first blocklist pointing at its own sectors after the first, loaded from `coreStart`. */
export function placeCore(coreImg: Uint8Array, coreStart = 1): Buffer {
  const sectors = Math.ceil(coreImg.length / SECTOR);
  const core = Buffer.alloc(sectors * SECTOR);
  Buffer.from(coreImg).copy(core);
  const at = SECTOR - BLOCKLIST_SIZE;
  core.writeBigUInt64LE(BigInt(coreStart + 1), at);
  core.writeUInt16LE(sectors - 1, at + 8);
  core.writeUInt16LE(CORE_SEGMENT, at + 10);
  return core;
}
