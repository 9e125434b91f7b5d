// Every image format, end to end: built once, verified, booted under both
// firmwares, tampered with, and reproduced in another checkout.
import test from "ava";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, copyFile, cp, mkdtemp, readFile, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { boot } from "../../generator/run/qemu.ts";
import { exo, profile, REPO, tempProject } from "../helpers/exo.ts";
import { foreignStore, type Place, releaseAll } from "../image/host-fs.ts";

let dir = "";

test.before(async () => {
  dir = await tempProject();
  const built = await exo(["build", profile("server.ts")], { cwd: dir });
  if (built.code !== 0) throw new Error(`build failed: ${built.stderr}`);
});

test.serial("all four formats verify, each naming the key that signed it", async (t) => {
  const r = await exo(["verify", "result", "--json"], { cwd: dir });
  t.is(r.code, 0, r.stdout);
  const doc = JSON.parse(r.stdout) as { schema: string; ok: boolean; formats: { format: string; ok: boolean; keyId: string; algorithm: string }[] };
  t.is(doc.schema, "exo.verify/v1");
  t.deepEqual(doc.formats.map((f) => f.format).sort(), ["bundle", "iso", "kernel", "raw"]);
  t.true(doc.formats.every((f) => f.ok && /^[0-9a-f]{16}$/.test(f.keyId) && f.algorithm === "ML-DSA-65"));
});

for (const [format, firmware] of [["kernel", "bios"], ["bundle", "bios"], ["iso", "bios"], ["iso", "uefi"], ["raw", "bios"], ["raw", "uefi"]] as const) {
  test.serial(`the ${format} format boots with ${firmware} firmware`, async (t) => {
    const r = await exo(["run", "result", "--format", format, "--firmware", firmware, "--timeout", "120"], { cwd: dir });
    t.is(r.code, 0, r.stderr + r.stdout);
    t.regex(r.stdout, /exo: booting server \(x86_64\)/);
    t.regex(r.stdout, /exo: boot complete/);
    t.regex(r.stderr, new RegExp(`kernel exited with status 0 after \\d+ ms \\(${format}, ${firmware}\\)`));
    // Only the kernel's console: OVMF's and GRUB's screens (escape sequences) stay off stdout.
    t.false(r.stdout.includes("\x1b"), "firmware escape sequences on stdout");
    t.true(r.stdout.startsWith("exo: booting "), r.stdout.slice(0, 200));
  });
}

test.serial("the kernel starts only from the initrd it was built for, and refuses a tampered one", async (t) => {
  const kernel = join(dir, "result/kernel/boot/kernel.elf");
  const initrd = await readFile(join(dir, "result/kernel/boot/initrd.tar"));
  const expected = createHash("sha256").update(initrd).digest("hex");
  const good = await boot({ kind: "kernel", kernel, initrd: join(dir, "result/kernel/boot/initrd.tar") }, { qemu: "qemu-system-x86_64", timeoutMs: 60_000 });
  t.is(good.kernelStatus, 0, good.output);
  t.true(good.output.includes(`exo: initrd: ${initrd.length} bytes, sha256 ${expected} ok`), good.output);

  const tampered = Buffer.from(initrd);
  const at = tampered.indexOf("\"system\"");
  t.true(at > 0, "the initrd holds the config");
  tampered[at + 1] = tampered[at + 1]! ^ 0x20;
  const file = join(dir, "tampered-initrd.tar");
  await writeFile(file, tampered);
  const bad = await boot({ kind: "kernel", kernel, initrd: file }, { qemu: "qemu-system-x86_64", timeoutMs: 60_000 });
  const actual = createHash("sha256").update(tampered).digest("hex");
  t.is(bad.kernelStatus, 2, bad.output);
  t.true(bad.output.includes(`exo: initrd: sha256 ${actual}, but this kernel was built for ${expected}; refusing to start`), bad.output);
  t.false(bad.output.includes("boot complete"));
});

for (const format of ["exo.iso", "disk.raw"]) {
  test.serial(`a flipped byte of the kernel inside ${format} is refused by the whole-container hash, before anything is read from it`, async (t) => {
    const copy = join(dir, `tampered-${format}`);
    await cp(join(dir, "result"), copy, { recursive: true, dereference: true });
    await chmod(join(copy, format), 0o644);
    const bytes = await readFile(join(copy, format));
    const kernel = await readFile(join(dir, "result/kernel/boot/kernel.elf"));
    const at = bytes.indexOf(kernel);
    t.true(at > 0, "the kernel is stored whole inside the image");
    bytes[at + 100] = bytes[at + 100]! ^ 0x40;
    await writeFile(join(copy, format), bytes);
    const r = await exo(["verify", copy, "--project", "."], { cwd: dir });
    t.is(r.code, 1);
    t.regex(r.stderr, new RegExp(`${format.replace(".", "\\.")}: SHA-256 [0-9a-f]{64} differs from image\\.json's`));
    t.notRegex(r.stderr, /boot\/kernel\.elf/, "a container that does not match is never opened");
  });
}

test.serial("a truncated bundle and a key that is not trusted both fail", async (t) => {
  const truncated = join(dir, "truncated.tar");
  await writeFile(truncated, (await readFile(join(dir, "result/bundle.tar"))).subarray(0, 100_000));
  const cut = await exo(["verify", truncated, "--project", "."], { cwd: dir });
  t.is(cut.code, 1);
  t.regex(cut.stderr, /truncated/);
  const other = await tempProject();
  const r = await exo(["verify", join(dir, "result/bundle.tar"), "--trusted", join(other, "keys/test.pub")], { cwd: dir });
  t.is(r.code, 1);
  t.regex(r.stderr, /image\.sig: signed by key [0-9a-f]{16}, which is not among the trusted keys/);
});

test.serial("exo sbom prints an SPDX 2.3 document of the image's closure", async (t) => {
  const r = await exo(["sbom", "result"], { cwd: dir });
  t.is(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { spdxVersion: string; packages: { name: string; versionInfo: string; checksums?: unknown[] }[]; files: { fileName: string }[]; relationships: unknown[] };
  t.is(doc.spdxVersion, "SPDX-2.3");
  t.truthy(doc.packages.find((p) => p.name === "echo-server" && p.versionInfo === "0.1.0"));
  t.truthy(doc.packages.find((p) => p.name === "clang" && /clang/.test(p.versionInfo)));
  t.truthy(doc.packages.find((p) => p.name === "boot/kernel.elf" && p.checksums?.length === 2));
  t.true(doc.files.some((f) => f.fileName === "./kernel-src/core/main.ts"));
  t.true(doc.relationships.length > 10);
});

const FORMATS = ["bundle.tar", "exo.iso", "disk.raw", "image.json"];

test.serial("another checkout, another time, umask, TZ and LANG, and a store on another file system listing folders in another order give identical bytes in every format", async (t) => {
  // The first build's store is on the disk the tests run from; this one's on a tmpfs and,
  // where disorderfs works, seen through it with every folder listed in reverse name order.
  const places: Place[] = [];
  t.teardown(() => releaseAll(places));
  const elsewhere = await checkout();
  await new Promise((r) => setTimeout(r, 1100));
  const reversed = await foreignStore("reverse-sorted", places);
  if (reversed) t.log(`the second store: ${reversed.what.join("; ")}`);
  for (const why of reversed?.why ?? []) t.log(why);
  if (!reversed) t.log("neither a tmpfs nor disorderfs can be had here: the second store stays on the disk, and only the checkout, time, umask, TZ and LANG differ");
  const env = { TZ: "Pacific/Chatham", LANG: "de_DE.UTF-8", LC_ALL: "de_DE.UTF-8", EXO_STORE: reversed?.dir ?? join(elsewhere, "store") };
  const keyConfig = `export default { keys: { secretKey: ${JSON.stringify(join(dir, "keys/test.key"))}, trusted: [${JSON.stringify(join(dir, "keys/test.pub"))}] } };\n`;
  await writeFile(join(elsewhere, "exo.config.ts"), keyConfig);
  const built = await run("sh", ["-c", `umask 077 && exec ${process.execPath} bin/exo.js build profiles/server.ts`], elsewhere, env);
  t.is(built.code, 0, built.stderr);
  for (const file of [...FORMATS, "kernel/boot/kernel.elf", "kernel/boot/initrd.tar", "manifest.json", "manifest.sig", "sbom.spdx.json", "image.sig"]) {
    const [a, b] = await Promise.all([readFile(join(dir, "result", file)), readFile(join(elsewhere, "result", file))]);
    t.true(a.equals(b), `${file} differs between the two checkouts`);
  }

  // With disorderfs, a third store lists every folder in name order: a build that followed
  // the listing order could match at most one of the two, whatever order the disk keeps.
  if (!reversed?.what.some((w) => w.startsWith("disorderfs"))) return;
  const sorted = await foreignStore("sorted", places);
  t.truthy(sorted, "disorderfs worked once, so it works again");
  const again = await run(process.execPath, ["bin/exo.js", "build", "profiles/server.ts", "--out-link", "result-sorted"], elsewhere, { ...env, EXO_STORE: sorted!.dir });
  t.is(again.code, 0, again.stderr);
  for (const file of FORMATS) {
    const [a, b] = await Promise.all([readFile(join(dir, "result", file)), readFile(join(elsewhere, "result-sorted", file))]);
    t.true(a.equals(b), `${file} differs between stores that list folders in name order and in reverse`);
  }
});

/**
 * A copy of this checkout's files at another path, sharing node_modules: the
 * tracked ones and those not yet added (but not ignored), as the build in
 * `dir` sees them; a tracked file deleted from the work tree is left out.
 */
async function checkout(): Promise<string> {
  const target = await mkdtemp(join(tmpdir(), "exo-checkout-"));
  const files = (await run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], REPO, {})).stdout.split("\0").filter(Boolean);
  for (const file of new Set(files)) if (existsSync(join(REPO, file))) await cp(join(REPO, file), join(target, file));
  await symlink(join(REPO, "node_modules"), join(target, "node_modules"));
  return target;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 99) : 0, stdout, stderr });
    });
  });
}
