// The identifiers a disk or CD carries besides its files: the ISO's GPT disk
// GUID, the raw disk's MBR signature and the FAT volume serials. Tools pick
// them at random or from the clock; exo derives them from the content the
// image carries instead, so the same content always gets the same
// identifiers, and two images with different content get different ones
// (firmware and GRUB tell disks apart by them).
import { createHash } from "node:crypto";

export interface ContentIdentity {
  /** The GPT disk GUID, as RFC 4122 text (xorriso stores its first three fields little-endian, as UEFI wants). */
  readonly diskGuid: string;
  /** The FAT volume serial (`mformat -N`), 32 bits. */
  readonly fatSerial: number;
  /** The MBR disk signature (at 0x1b8), 32 bits. */
  readonly mbrSignature: number;
}

/**
 * Identifiers from a SHA-256 digest, each from bytes of its own:
 *   bytes 0-15   the GUID, with the version (4) and variant (10xx) bits of an
 *                RFC 4122 random GUID set, so it is shaped like any other;
 *   bytes 16-19  the FAT serial, big-endian;
 *   bytes 20-23  the MBR signature, big-endian.
 */
export function identityFromDigest(digest: Uint8Array): ContentIdentity {
  if (digest.length !== 32) throw new Error(`a SHA-256 digest has 32 bytes, not ${digest.length}`);
  const bytes = Buffer.from(digest);
  const guid = Buffer.from(bytes.subarray(0, 16));
  guid[6] = (guid[6]! & 0x0f) | 0x40;
  guid[8] = (guid[8]! & 0x3f) | 0x80;
  const hex = guid.toString("hex");
  return {
    diskGuid: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
    fatSerial: bytes.readUInt32BE(16),
    mbrSignature: bytes.readUInt32BE(20),
  };
}

/** The identifiers of an image: from the SHA-256 of its payload manifest, which lists every file the image carries with its SHA-256. */
export function imageIdentity(manifestBytes: Uint8Array): ContentIdentity {
  return identityFromDigest(createHash("sha256").update(manifestBytes).digest());
}

/** `mformat -N`'s argument: the serial as 8 hex digits. */
export const serialArg = (serial: number): string => (serial >>> 0).toString(16).padStart(8, "0");

/** A GPT GUID as stored on disk (first three fields little-endian) back to RFC 4122 text. */
export function guidFromDisk(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new Error(`a GUID has 16 bytes, not ${bytes.length}`);
  const b = Buffer.from(bytes);
  const hex = (from: number, to: number, reverse: boolean) => {
    const part = Buffer.from(b.subarray(from, to));
    return (reverse ? part.reverse() : part).toString("hex");
  };
  return `${hex(0, 4, true)}-${hex(4, 6, true)}-${hex(6, 8, true)}-${hex(8, 10, false)}-${hex(10, 16, false)}`;
}
