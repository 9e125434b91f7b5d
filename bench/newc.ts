// A newc ("070701") cpio archive, the format Linux unpacks as its initramfs.
// Written here because cpio is not among the host's tools. Entries keep the
// order given (a folder before what it holds); times and owners are 0, so the
// same entries give the same bytes.

export type CpioEntry =
  | { readonly kind: "dir"; readonly path: string }
  | { readonly kind: "file"; readonly path: string; readonly data: Uint8Array; readonly mode?: number }
  | { readonly kind: "symlink"; readonly path: string; readonly target: string }
  | { readonly kind: "char"; readonly path: string; readonly major: number; readonly minor: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

const pad4 = (n: number): number => (4 - (n % 4)) % 4;
const hex8 = (n: number): string => n.toString(16).padStart(8, "0");

function record(ino: number, mode: number, name: string, data: Uint8Array, rdev: [number, number] = [0, 0]): Buffer {
  const nameBytes = Buffer.from(`${name}\0`, "utf8");
  const fields = [ino, mode, 0, 0, mode & S_IFDIR ? 2 : 1, 0, data.length, 0, 0, rdev[0], rdev[1], nameBytes.length, 0];
  const header = Buffer.from(`070701${fields.map(hex8).join("")}`, "ascii");
  return Buffer.concat([header, nameBytes, Buffer.alloc(pad4(header.length + nameBytes.length)), data, Buffer.alloc(pad4(data.length))]);
}

/** The archive of `entries`, paths relative to the root (no leading slash), ending with the trailer. */
export function newcArchive(entries: readonly CpioEntry[]): Buffer {
  const parts = entries.map((e, i) => {
    const ino = i + 1;
    switch (e.kind) {
      case "dir":
        return record(ino, S_IFDIR | 0o755, e.path, new Uint8Array());
      case "file":
        return record(ino, S_IFREG | (e.mode ?? 0o644), e.path, e.data);
      case "symlink":
        return record(ino, S_IFLNK | 0o777, e.path, Buffer.from(e.target, "utf8"));
      case "char":
        return record(ino, S_IFCHR | 0o600, e.path, new Uint8Array(), [e.major, e.minor]);
    }
  });
  return Buffer.concat([...parts, record(0, 0, "TRAILER!!!", new Uint8Array())]);
}
