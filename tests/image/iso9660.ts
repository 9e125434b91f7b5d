// A small ISO 9660 reader for tests: the volume descriptors' dates, every
// directory record's date and Rock Ridge TF time stamps, and the GPT disk
// GUID of the system area, so a test can check where each came from.
import { guidFromDisk } from "../../generator/image/identity.ts";

const BLOCK = 2048;

export interface IsoDate {
  /** Where it is: "PVD creation", "/boot/kernel.elf record", "/boot/kernel.elf TF modify", ... */
  readonly where: string;
  /** Seconds since 1970, or null for a date the standard marks "not specified" (all digits zero). */
  readonly epoch: number | null;
}

/** A 17-byte volume descriptor date: YYYYMMDDhhmmsscc and a GMT offset in 15-minute steps. */
function longDate(b: Buffer): number | null {
  const text = b.subarray(0, 16).toString("latin1");
  if (/^0{16}$/.test(text) && b[16] === 0) return null;
  const n = (from: number, to: number) => Number(text.slice(from, to));
  const utc = Date.UTC(n(0, 4), n(4, 6) - 1, n(6, 8), n(8, 10), n(10, 12), n(12, 14));
  return utc / 1000 - b.readInt8(16) * 15 * 60;
}

/** A 7-byte directory record date: years since 1900, month, day, hour, minute, second, GMT offset. */
function shortDate(b: Buffer): number {
  const utc = Date.UTC(1900 + b[0]!, b[1]! - 1, b[2]!, b[3]!, b[4]!, b[5]!);
  return utc / 1000 - b.readInt8(6) * 15 * 60;
}

const TF_FIELDS = ["creation", "modify", "access", "attributes", "backup", "expiration", "effective"] as const;

/** The system use entries of a record, following CE continuations. */
function suspEntries(iso: Buffer, area: Buffer): { sig: string; data: Buffer }[] {
  const out: { sig: string; data: Buffer }[] = [];
  let pending: Buffer | null = area;
  for (let hops = 0; pending && hops < 16; hops++) {
    const current: Buffer = pending;
    pending = null;
    for (let at = 0; at + 4 <= current.length; ) {
      const len = current[at + 2]!;
      if (len < 4 || at + len > current.length) break;
      const sig = current.subarray(at, at + 2).toString("latin1");
      const entry = current.subarray(at, at + len);
      if (sig === "CE") {
        const block = entry.readUInt32LE(4);
        const offset = entry.readUInt32LE(12);
        const size = entry.readUInt32LE(20);
        pending = iso.subarray(block * BLOCK + offset, block * BLOCK + offset + size);
      } else if (sig === "ST") {
        break;
      } else {
        out.push({ sig, data: entry });
      }
      at += len;
    }
  }
  return out;
}

/** Every date in the primary and supplementary volume descriptors and their directory trees. */
export function isoDates(iso: Buffer): IsoDate[] {
  const dates: IsoDate[] = [];
  for (let block = 16; ; block++) {
    const vd = iso.subarray(block * BLOCK, (block + 1) * BLOCK);
    if (vd.subarray(1, 6).toString("latin1") !== "CD001") throw new Error(`block ${block} is not a volume descriptor`);
    const type = vd[0]!;
    if (type === 255) break;
    if (type !== 1 && type !== 2) continue;
    const name = type === 1 ? "PVD" : "SVD";
    for (const [field, at] of [["creation", 813], ["modification", 830], ["expiration", 847], ["effective", 864]] as const) {
      dates.push({ where: `${name} ${field}`, epoch: longDate(vd.subarray(at, at + 17)) });
    }
    const root = vd.subarray(156, 156 + 34);
    const seen = new Set<number>();
    const walk = (extent: number, size: number, path: string) => {
      if (seen.has(extent)) return;
      seen.add(extent);
      const dir = iso.subarray(extent * BLOCK, extent * BLOCK + size);
      for (let at = 0; at < dir.length; ) {
        const len = dir[at]!;
        if (len === 0) {
          at = (Math.floor(at / BLOCK) + 1) * BLOCK; // records do not cross block boundaries
          continue;
        }
        const rec = dir.subarray(at, at + len);
        const nameLen = rec[32]!;
        const id = rec.subarray(33, 33 + nameLen);
        const label = id.length === 1 && id[0]! <= 1 ? `${path}/${id[0] === 0 ? "." : ".."}` : `${path}/${id.toString("latin1")}`;
        dates.push({ where: `${name} ${label} record`, epoch: shortDate(rec.subarray(18, 25)) });
        const system = rec.subarray(33 + nameLen + ((nameLen & 1) === 0 ? 1 : 0));
        for (const entry of suspEntries(iso, system)) {
          if (entry.sig !== "TF") continue;
          const flags = entry.data[4]!;
          const long = (flags & 0x80) !== 0;
          let p = 5;
          for (const [bit, field] of TF_FIELDS.entries()) {
            if (!(flags & (1 << bit))) continue;
            const stamp = entry.data.subarray(p, p + (long ? 17 : 7));
            dates.push({ where: `${name} ${label} TF ${field}`, epoch: long ? longDate(stamp) : shortDate(stamp) });
            p += long ? 17 : 7;
          }
        }
        const isDir = (rec[25]! & 2) !== 0;
        if (isDir && !(id.length === 1 && id[0]! <= 1)) walk(rec.readUInt32LE(2), rec.readUInt32LE(10), label);
        at += len;
      }
    };
    walk(root.readUInt32LE(2), root.readUInt32LE(10), "");
  }
  return dates;
}

/** The GPT disk GUID of an image's system area (the GPT header at byte 512), as RFC 4122 text; null without a GPT. */
export function gptDiskGuid(image: Buffer): string | null {
  if (image.subarray(512, 520).toString("latin1") !== "EFI PART") return null;
  return guidFromDisk(image.subarray(512 + 56, 512 + 72));
}

/** The unique partition GUIDs of the GPT's used entries, as RFC 4122 text. */
export function gptPartitionGuids(image: Buffer): string[] {
  const header = image.subarray(512, 512 + 92);
  const first = Number(header.readBigUInt64LE(72));
  const count = header.readUInt32LE(80);
  const size = header.readUInt32LE(84);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const entry = image.subarray(first * 512 + i * size, first * 512 + (i + 1) * size);
    if (entry.subarray(0, 16).every((b) => b === 0)) continue;
    out.push(guidFromDisk(entry.subarray(16, 32)));
  }
  return out;
}
