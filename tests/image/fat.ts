// A small FAT12/16/32 reader for tests: the boot sector's serial and label,
// and every directory entry with its raw dates, in on-disk order, so a test
// can check the layout and that each date came from the epoch.

export interface FatEntry {
  /** Path from the root; the short (8.3) name, as stored, for entries without a long name. */
  readonly path: string;
  readonly attributes: number;
  /** The directory's order on disk: entries of one folder in the order they are stored. */
  readonly index: number;
  readonly firstCluster: number;
  readonly size: number;
  readonly created: { date: number; time: number; tenths: number };
  readonly accessed: number;
  readonly written: { date: number; time: number };
}

export interface FatVolume {
  readonly bits: 12 | 16 | 32;
  readonly serial: number;
  readonly label: string;
  /** Every entry, folders walked depth first in on-disk order; "." and ".." included, long-name slots not. */
  readonly entries: readonly FatEntry[];
  read(path: string): Buffer;
}

const ATTR_DIRECTORY = 0x10;
const ATTR_LONG_NAME = 0x0f;

export function readFat(image: Buffer): FatVolume {
  const bytesPerSector = image.readUInt16LE(11);
  const sectorsPerCluster = image[13]!;
  const reserved = image.readUInt16LE(14);
  const fats = image[16]!;
  const rootEntries = image.readUInt16LE(17);
  const totalSectors = image.readUInt16LE(19) || image.readUInt32LE(32);
  const fatSectors = image.readUInt16LE(22) || image.readUInt32LE(36);
  const rootSectors = Math.ceil((rootEntries * 32) / bytesPerSector);
  const dataStart = reserved + fats * fatSectors + rootSectors;
  const clusters = Math.floor((totalSectors - dataStart) / sectorsPerCluster);
  const bits: 12 | 16 | 32 = clusters < 4085 ? 12 : clusters < 65525 ? 16 : 32;
  const fatAt = reserved * bytesPerSector;
  const clusterBytes = sectorsPerCluster * bytesPerSector;
  const ext = bits === 32 ? 64 : 36; // the extended boot record: drive number, 0x29, serial, label
  const serial = image.readUInt32LE(ext + 3);
  const label = image.subarray(ext + 7, ext + 18).toString("latin1");

  const next = (cluster: number): number => {
    if (bits === 32) return image.readUInt32LE(fatAt + cluster * 4) & 0x0fffffff;
    if (bits === 16) return image.readUInt16LE(fatAt + cluster * 2);
    const pair = image.readUInt16LE(fatAt + Math.floor((cluster * 3) / 2));
    return cluster & 1 ? pair >> 4 : pair & 0xfff;
  };
  const end = bits === 32 ? 0x0ffffff8 : bits === 16 ? 0xfff8 : 0xff8;
  const chain = (first: number): Buffer => {
    const parts: Buffer[] = [];
    for (let c = first, n = 0; c >= 2 && c < end; c = next(c), n++) {
      if (n > clusters) throw new Error("FAT cluster chain loops");
      const at = (dataStart * bytesPerSector) + (c - 2) * clusterBytes;
      parts.push(image.subarray(at, at + clusterBytes));
    }
    return Buffer.concat(parts);
  };
  const rootDir = bits === 32 ? chain(image.readUInt32LE(44)) : image.subarray((reserved + fats * fatSectors) * bytesPerSector, dataStart * bytesPerSector);

  const entries: FatEntry[] = [];
  const walk = (dir: Buffer, prefix: string) => {
    let longName: string[] = [];
    for (let at = 0, index = 0; at + 32 <= dir.length; at += 32) {
      const e = dir.subarray(at, at + 32);
      if (e[0] === 0) break;
      if (e[0] === 0xe5) continue;
      const attributes = e[11]!;
      if ((attributes & 0x3f) === ATTR_LONG_NAME) {
        let part = "";
        for (const [from, to] of [[1, 11], [14, 26], [28, 32]] as const) part += e.subarray(from, to).toString("utf16le");
        longName.unshift(part.split("\0")[0]!);
        continue;
      }
      // Windows NT's case bits (byte 12): a name that fits 8.3 in lower case has no long name.
      const lower = (s: string, bit: number) => (e[12]! & bit ? s.toLowerCase() : s);
      const base = lower(e.subarray(0, 8).toString("latin1").trimEnd(), 0x08);
      const extension = lower(e.subarray(8, 11).toString("latin1").trimEnd(), 0x10);
      const short = extension ? `${base}.${extension}` : base;
      const name = longName.length ? longName.join("") : short;
      longName = [];
      const entry: FatEntry = {
        path: prefix ? `${prefix}/${name}` : name,
        attributes,
        index: index++,
        firstCluster: (bits === 32 ? e.readUInt16LE(20) << 16 : 0) | e.readUInt16LE(26),
        size: e.readUInt32LE(28),
        created: { date: e.readUInt16LE(16), time: e.readUInt16LE(14), tenths: e[13]! },
        accessed: e.readUInt16LE(18),
        written: { date: e.readUInt16LE(24), time: e.readUInt16LE(22) },
      };
      entries.push(entry);
      if (attributes & ATTR_DIRECTORY && name !== "." && name !== "..") walk(chain(entry.firstCluster), entry.path);
    }
  };
  walk(rootDir, "");

  return {
    bits,
    serial,
    label,
    entries,
    read(path: string): Buffer {
      const entry = entries.find((e) => e.path === path && !(e.attributes & ATTR_DIRECTORY));
      if (!entry) throw new Error(`${path}: not in the FAT volume`);
      return chain(entry.firstCluster).subarray(0, entry.size);
    },
  };
}

/** A FAT date and time (local time; exo's tools run with TZ=UTC) as stored for `epochSeconds`: 2-second steps. */
export function fatDateTime(epochSeconds: number): { date: number; time: number } {
  const d = new Date(epochSeconds * 1000);
  return {
    date: ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
  };
}
