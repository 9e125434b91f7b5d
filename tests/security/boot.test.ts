// A tampered boot sector never reaches QEMU through `exo run`: QEMU is
// replaced on PATH by a wrapper that notes each start before it hands
// over to the real one, so the test sees whether QEMU ran at all.
import test from "ava";
import { execFile } from "node:child_process";
import { access, chmod, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { exo } from "../helpers/exo.ts";
import { type Built, buildImage, copyImage } from "./corpus.ts";

let built: Built;
let bin = "";
let log = "";

test.before(async () => {
  built = await buildImage();
  const real = (await promisify(execFile)("sh", ["-c", "command -v qemu-system-x86_64"])).stdout.trim();
  bin = await mkdtemp(join(tmpdir(), "exo-qemu-wrapper-"));
  log = join(bin, "started");
  await writeFile(join(bin, "qemu-system-x86_64"), `#!/bin/sh\necho "$@" >> ${JSON.stringify(log)}\nexec ${JSON.stringify(real)} "$@"\n`);
  await chmod(join(bin, "qemu-system-x86_64"), 0o755);
});

const started = () => access(log).then(() => readFile(log, "utf8"), () => "");
const env = () => ({ PATH: `${bin}:${process.env.PATH}` });

for (const [format, firmware, offset, what] of [
  ["raw", "bios", 0x10, "the MBR's boot code"],
  ["raw", "uefi", 0x1be + 8, "the MBR's partition entry"],
  ["iso", "bios", 0x1b0, "the ISO's core-location field"],
  ["iso", "uefi", 0x40, "the ISO system area's boot code"],
] as const) {
  test.serial(`${what} changed: exo run --format ${format} --firmware ${firmware} refuses it and never starts QEMU`, async (t) => {
    const copy = await copyImage(built.result);
    const file = join(copy, format === "raw" ? "disk.raw" : "exo.iso");
    const bytes = await readFile(file);
    bytes[offset] = bytes[offset]! ^ 0xff;
    await writeFile(file, bytes);
    const before = await started();
    const r = await exo(["run", copy, "--format", format, "--firmware", firmware], { cwd: built.dir, env: env() });
    t.is(r.code, 1, r.stdout);
    t.regex(r.stderr, /^error\[ERR_EXO_VERIFY\]: refusing to boot .*(disk\.raw|exo\.iso):\n  - (raw|iso): (disk\.raw|exo\.iso): SHA-256 [0-9a-f]{64} differs from image\.json's [0-9a-f]{64}\n/);
    t.regex(r.stderr, /\nhint: the image is not what its signer made: do not use it/);
    t.is(r.stdout, "", "nothing came from a serial console");
    t.is(await started(), before, "QEMU was started");
  });
}

test.serial("the same image untouched boots through the same wrapper, so the wrapper sees QEMU start", async (t) => {
  const copy = await copyImage(built.result);
  const before = await started();
  const r = await exo(["run", copy, "--format", "raw"], { cwd: built.dir, env: env() });
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /exo: boot complete/);
  t.not(await started(), before);
  t.false((await started()).includes(copy), "QEMU boots a private copy, checked as it was copied, never the file itself");
});
