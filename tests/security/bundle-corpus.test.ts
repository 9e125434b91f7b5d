// A lone bundle (a .tar with no image.json beside it) is covered byte for
// byte by its own signed manifest and canonical form. Hostile archives,
// each signed over a valid manifest so that only the archive is wrong: every
// one is refused, naming the entry.
import test from "ava";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { verifyBundle, writeBundle } from "../../generator/image/bundle.ts";
import { makeManifest, manifestBytes } from "../../generator/image/manifest.ts";
import { ustarHeader } from "../../generator/image/tar-read.ts";
import { packTar } from "../../generator/image/tar.ts";
import { generateKeyPair, loadPublicKey, loadSecretKey, type PublicKey } from "../../generator/sign/keys.ts";
import { signatureBytes, signManifest } from "../../generator/sign/signature.ts";
import { exo } from "../helpers/exo.ts";
import { Tally } from "./corpus.ts";

const EPOCH = 315532800;
const KERNEL = Buffer.from("\x7fELF a kernel that boots ".repeat(40));
const SBOM = Buffer.from('{"spdxVersion":"SPDX-2.3"}\n');
const tally = new Tally();

interface Entry {
  name: string;
  data: Uint8Array;
  type?: string;
  mode?: number;
  mtime?: number;
  uid?: number;
  linkname?: string;
  /** A size in the header other than the data's. */
  size?: number;
}

let trusted: PublicKey[];
let signedFiles: Entry[];

test.before(async () => {
  const dir = await mkdtemp(join(tmpdir(), "exo-bundle-corpus-"));
  await generateKeyPair(join(dir, "k.key"), join(dir, "k.pub"));
  const secret = await loadSecretKey(join(dir, "k.key"));
  trusted = [await loadPublicKey(join(dir, "k.pub"))];
  const head = { system: "corpus", arch: "x86_64", configHash: "c".repeat(64), version: 1, created: EPOCH, expires: null };
  const manifest = manifestBytes(makeManifest(head, [{ path: "boot/kernel.elf", data: KERNEL }, { path: "sbom.spdx.json", data: SBOM }]));
  signedFiles = [
    { name: "boot/kernel.elf", data: KERNEL },
    { name: "manifest.json", data: manifest },
    { name: "manifest.sig", data: signatureBytes(signManifest(manifest, secret)) },
    { name: "sbom.spdx.json", data: SBOM },
  ];
});

test.after.always((t) => {
  for (const line of tally.lines()) t.log(line);
});

/** A tar of exactly these entries, in this order, with headers as given (canonical where not overridden). */
function tarOf(entries: readonly Entry[], trailer: Uint8Array = Buffer.alloc(1024)): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const block = ustarHeader({ name: e.name, size: e.size ?? e.data.length, mode: e.mode ?? 0o644, mtime: e.mtime ?? EPOCH })!;
    if (e.type) block[156] = e.type.charCodeAt(0);
    if (e.uid !== undefined) block.write(`${e.uid.toString(8).padStart(6, "0")} `, 108, "latin1");
    if (e.linkname) block.write(e.linkname, 157, "latin1");
    block.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of block) sum += b;
    block.fill(0, 148, 156);
    block.write(`${sum.toString(8).padStart(6, "0")} `, 148, "latin1");
    parts.push(block, Buffer.from(e.data), Buffer.alloc((512 - (e.data.length % 512)) % 512));
  }
  return Buffer.concat([...parts, Buffer.from(trailer)]);
}

async function verifyTar(tar: Uint8Array) {
  const file = join(await mkdtemp(join(tmpdir(), "exo-bundle-case-")), "bundle.tar");
  await writeFile(file, tar);
  return verifyBundle(file, trusted);
}

const withEntry = (at: number, extra: Entry) => () => {
  const copy = [...signedFiles];
  copy.splice(at, 0, extra);
  return tarOf(copy);
};
const changed = (name: string, change: Partial<Entry>) => () => tarOf(signedFiles.map((e) => (e.name === name ? { ...e, ...change } : e)));

const cases: readonly { kind: string; what: string; tar: () => Buffer; expect: RegExp }[] = [
  { kind: "duplicate entries", what: "a second boot/kernel.elf with other code after the signed one", tar: withEntry(1, { name: "boot/kernel.elf", data: Buffer.from("evil") }), expect: /a second entry of the same name/ },
  { kind: "duplicate entries", what: "a second manifest.sig", tar: withEntry(3, { name: "manifest.sig", data: Buffer.from("{}") }), expect: /a second entry of the same name/ },
  { kind: "non-regular entries", what: "a symbolic link to /etc/passwd", tar: withEntry(0, { name: "boot/grub.cfg", data: Buffer.alloc(0), type: "2", linkname: "/etc/passwd" }), expect: /type '2', but only regular files/ },
  { kind: "non-regular entries", what: "a hard link to the kernel", tar: withEntry(1, { name: "boot/kernel2.elf", data: Buffer.alloc(0), type: "1", linkname: "boot/kernel.elf" }), expect: /type '1'/ },
  { kind: "non-regular entries", what: "a folder", tar: withEntry(0, { name: "boot/", data: Buffer.alloc(0), type: "5" }), expect: /type '5'/ },
  { kind: "non-regular entries", what: "a character device", tar: withEntry(0, { name: "dev/zero", data: Buffer.alloc(0), type: "3" }), expect: /type '3'/ },
  { kind: "non-regular entries", what: "a FIFO", tar: withEntry(0, { name: "boot/fifo", data: Buffer.alloc(0), type: "6" }), expect: /type '6'/ },
  { kind: "non-regular entries", what: "a pax extended header", tar: withEntry(0, { name: "PaxHeader", data: Buffer.from("30 path=boot/kernel.elf\n"), type: "x" }), expect: /type 'x'/ },
  { kind: "non-regular entries", what: "a GNU long name", tar: withEntry(0, { name: "././@LongLink", data: Buffer.from("boot/kernel.elf\0"), type: "L" }), expect: /type 'L'/ },
  { kind: "out-of-tree entries", what: "../../etc/cron.d/evil", tar: withEntry(0, { name: "../../etc/cron.d/evil", data: Buffer.from("* * * * * root sh") }), expect: /not a plain relative path/ },
  { kind: "out-of-tree entries", what: "/etc/evil", tar: withEntry(0, { name: "/etc/evil", data: Buffer.from("x") }), expect: /not a plain relative path/ },
  { kind: "out-of-tree entries", what: "./boot/kernel.elf", tar: withEntry(0, { name: "./boot/kernel.elf", data: Buffer.from("x") }), expect: /not a plain relative path/ },
  { kind: "out-of-tree entries", what: "boot//kernel.elf", tar: withEntry(0, { name: "boot//kernel.elf", data: Buffer.from("x") }), expect: /not a plain relative path/ },
  { kind: "unsigned bytes", what: "an entry the manifest does not list", tar: withEntry(2, { name: "boot/initrd.tar", data: Buffer.from("unsigned") }), expect: /boot\/initrd\.tar: in the image but not in the manifest/ },
  { kind: "unsigned bytes", what: "a listed entry left out", tar: () => tarOf(signedFiles.filter((e) => e.name !== "sbom.spdx.json")), expect: /sbom\.spdx\.json: listed in the manifest but missing/ },
  { kind: "unsigned bytes", what: "an owner in a header", tar: changed("boot/kernel.elf", { uid: 1000 }), expect: /header is not in canonical form/ },
  { kind: "unsigned bytes", what: "a header time other than the manifest's", tar: changed("boot/kernel.elf", { mtime: EPOCH + 1 }), expect: /archive time \d+, the manifest's is/ },
  { kind: "unsigned bytes", what: "an executable mode", tar: changed("boot/kernel.elf", { mode: 0o755 }), expect: /mode 755/ },
  { kind: "unsigned bytes", what: "entries out of order", tar: () => tarOf([signedFiles[1]!, signedFiles[0]!, signedFiles[2]!, signedFiles[3]!]), expect: /not in sorted order/ },
  { kind: "unsigned bytes", what: "code in an entry's padding", tar: () => { const t = tarOf(signedFiles); t[512 + KERNEL.length + 3] = 0xcc; return t; }, expect: /padding after its data is not zero/ },
  { kind: "appended data", what: "bytes after the end-of-archive marker", tar: () => tarOf(signedFiles, Buffer.concat([Buffer.alloc(1024), Buffer.from("appended")])), expect: /after the end of the archive/ },
  { kind: "appended data", what: "no end-of-archive marker", tar: () => tarOf(signedFiles, Buffer.alloc(0)), expect: /truncated/ },
  { kind: "huge sizes", what: "a header claiming 8 GiB of data, its checksum left stale", tar: () => { const t = tarOf(signedFiles); t.write("77777777777 ", 124, "latin1"); return t; }, expect: /header checksum is wrong/ },
  { kind: "huge sizes", what: "a header claiming 2 GiB of data", tar: changed("boot/kernel.elf", { size: 2 ** 31 }), expect: /2147483648 B of data run past the end of the archive/ },
  { kind: "huge sizes", what: "a 70 MB manifest.sig", tar: changed("manifest.sig", { data: Buffer.alloc(70 << 20, 0x20) }), expect: /manifest\.sig: \d+ B, more than the \d+ B such a file may have/ },
];

for (const c of cases) {
  test(`${c.kind}: ${c.what} is refused`, async (t) => {
    const report = await verifyTar(c.tar());
    tally.add(c.kind, !report.ok);
    t.false(report.ok, `${c.what} was accepted`);
    t.regex(report.problems.join("\n"), c.expect);
  });
}

test("through the command line, one case of each class ends in exit 1 with error: and hint:, never an internal error", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "exo-bundle-cli-"));
  const firstOfKind = cases.filter((c, i) => cases.findIndex((d) => d.kind === c.kind) === i);
  await Promise.all(
    firstOfKind.map(async (c, i) => {
      const file = join(dir, `case-${i}.tar`);
      await writeFile(file, c.tar());
      const r = await exo(["verify", file, "--trusted", trusted[0]!.file], { cwd: dir });
      t.is(r.code, 1, `${c.what}: ${r.stderr}`);
      t.regex(r.stderr, /^error\[ERR_EXO_VERIFY\]: .* failed verification:\n(  - .*\n)+hint: /, c.what);
      t.regex(r.stderr, c.expect, c.what);
    }),
  );
});

test("the same entries, canonical, verify: each refusal above is the hostile part's", async (t) => {
  const report = await verifyTar(tarOf(signedFiles));
  t.deepEqual(report.problems, []);
  t.true(report.ok);
  t.true(tarOf(signedFiles).equals(await writeBundle(new Map(signedFiles.map((e) => [e.name, e.data])), EPOCH)), "tarOf writes what packTar writes");
});

test("ustarHeader gives packTar's header byte for byte, long names included", async (t) => {
  const names = ["a", "boot/kernel.elf", `${"d".repeat(60)}/${"e".repeat(60)}/file.bin`, `${"x".repeat(99)}`];
  for (const name of names) {
    const data = Buffer.from(name);
    const packed = await packTar([{ name, data }], EPOCH);
    t.true(packed.subarray(0, 512).equals(ustarHeader({ name, size: data.length, mode: 0o644, mtime: EPOCH })!), name);
  }
});
