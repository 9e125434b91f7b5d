// `exo verify` cannot be turned against the host: it follows no link, opens
// no device or FIFO, reads huge inputs as a stream in bounded memory, and
// leaves no temporary folder behind, even when it is stopped.
import test from "ava";
import { execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { chmod, copyFile, mkdir, mkdtemp, readdir, rm, symlink, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { sealImage } from "../../generator/image/image-manifest.ts";
import { makeManifest, manifestBytes } from "../../generator/image/manifest.ts";
import { loadSecretKey } from "../../generator/sign/keys.ts";
import { EXO_BIN, exo, fixture, tempProject } from "../helpers/exo.ts";
import { type Built, buildImage, check, copyImage, problemsOf, Tally } from "./corpus.ts";

const tally = new Tally();
let built: Built;

test.before(async () => {
  const dir = await tempProject();
  const profile = join(dir, "bundle-kernel.yaml");
  await writeFile(profile, `imports:\n  - ${fixture("bundle-only.ts")}\nimage:\n  formats: !force [bundle, kernel, iso]\n`);
  built = await buildImage(profile);
});

test.after.always((t) => {
  for (const line of tally.lines()) t.log(line);
});

const hostile: readonly [string, (copy: string) => Promise<void>, RegExp][] = [
  ["bundle.tar as a link to /dev/zero", (c) => rm(join(c, "bundle.tar")).then(() => symlink("/dev/zero", join(c, "bundle.tar"))), /bundle\.tar: a symbolic link, which is never followed/],
  ["the kernel as a link to /etc/passwd", (c) => rm(join(c, "kernel/boot/kernel.elf")).then(() => symlink("/etc/passwd", join(c, "kernel/boot/kernel.elf"))), /kernel\/boot\/kernel\.elf: a symbolic link, which is never followed/],
  ["image.json as a link to another image's", (c) => rm(join(c, "image.json")).then(() => symlink(join(built.result, "image.json"), join(c, "image.json"))), /image\.json: a symbolic link, which is never followed/],
  ["the kernel folder as a link", (c) => rm(join(c, "kernel"), { recursive: true }).then(() => symlink(join(built.result, "kernel"), join(c, "kernel"))), /kernel: a symbolic link, which is never followed/],
  ["bundle.tar as a FIFO nobody writes to", (c) => rm(join(c, "bundle.tar")).then(() => promisify(execFile)("mkfifo", [join(c, "bundle.tar")]).then(() => undefined)), /bundle\.tar: not a regular file/],
];

for (const [what, mutate, expect] of hostile) {
  test(`${what} is refused, never followed or waited on`, async (t) => {
    const copy = await copyImage(built.result);
    await mutate(copy);
    const result = await check(copy, built.trusted);
    tally.add("symlinks and special files", !result.ok);
    t.false(result.ok);
    t.regex(problemsOf(result), expect);
  });
}

test("exo sbom refuses to print the SBOM of an image that does not verify", async (t) => {
  const copy = await copyImage(built.result);
  await writeFile(join(copy, "sbom.spdx.json"), '{"spdxVersion":"SPDX-2.3","packages":[]}\n');
  const r = await exo(["sbom", copy], { cwd: built.dir });
  tally.add("unverified SBOM", r.code === 1);
  t.is(r.code, 1);
  t.regex(r.stderr, /refusing to print the SBOM .* failed verification:\n  - sbom\.spdx\.json: SHA-256/);
  t.is(r.stdout, "");
  const good = await exo(["sbom", "result"], { cwd: built.dir });
  t.is(good.code, 0, good.stderr);
  t.regex(good.stdout, /SPDX-2\.3/);
});

/** A correctly signed image whose disk.raw is a 2 GiB sparse file: the signature holds, so all of it must be hashed. */
async function hugeImage(): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), "exo-huge-")), "image");
  await mkdir(dir);
  const head = { system: "huge", arch: "x86_64", configHash: "b".repeat(64), version: 1, created: 315532800, expires: null };
  const bytes = manifestBytes(makeManifest(head, []));
  await writeFile(join(dir, "manifest.json"), bytes);
  await writeFile(join(dir, "disk.raw"), "");
  await truncate(join(dir, "disk.raw"), 2 ** 31);
  await sealImage(dir, { manifest: JSON.parse(bytes.toString()), bytes }, [], await loadSecretKey(join(built.dir, "keys/test.key")));
  return dir;
}

/** Run exo, sampling its peak resident memory (VmHWM) while it runs. */
function exoWithPeak(args: string[], env: NodeJS.ProcessEnv, onStart?: (pid: number) => void): Promise<{ code: number | null; signal: string | null; stderr: string; peakKiB: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [EXO_BIN, ...args], { cwd: built.dir, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let peakKiB = 0;
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const sample = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (m) peakKiB = Math.max(peakKiB, Number(m[1]));
      } catch {
        // the process has just ended
      }
    }, 5);
    onStart?.(child.pid!);
    child.on("exit", (code, signal) => {
      clearInterval(sample);
      resolve({ code, signal, stderr, peakKiB });
    });
  });
}

test.serial("a 2 GiB container is hashed as a stream: under 200 MB of memory, then refused with a clear error", async (t) => {
  const image = await hugeImage();
  const r = await exoWithPeak(["verify", image, "--trusted", join(built.dir, "keys/test.pub")], {});
  t.log(`peak RSS while verifying a 2 GiB disk.raw: ${(r.peakKiB / 1024).toFixed(1)} MiB`);
  t.is(r.code, 1, r.stderr);
  t.regex(r.stderr, /^error\[ERR_EXO_VERIFY\]: .* failed verification:\n/);
  t.regex(r.stderr, /disk\.raw: no MBR boot signature/);
  t.notRegex(r.stderr, /internal error/);
  t.true(r.peakKiB > 0 && r.peakKiB < 200 * 1024, `peak RSS ${r.peakKiB} KiB`);
  await rm(join(image, ".."), { recursive: true, force: true });
});

test.serial("SIGTERM in the middle of a check leaves no temporary folder behind", async (t) => {
  const image = await hugeImage();
  const tmp = await mkdtemp(join(tmpdir(), "exo-tmpdir-"));
  let sent = false;
  const r = await exoWithPeak(["verify", image, "--trusted", join(built.dir, "keys/test.pub")], { TMPDIR: tmp }, (pid) => {
    const poll = setInterval(async () => {
      if ((await readdir(tmp)).some((n) => n.startsWith("exo-verify-"))) {
        clearInterval(poll);
        sent = true;
        process.kill(pid, "SIGTERM");
      }
    }, 5);
  });
  t.true(sent, "the check made its temporary folder");
  t.is(r.code, 143, r.stderr);
  // tsx keeps its own compile cache there (tsx-<uid>); exo's folders are exo-*.
  t.deepEqual((await readdir(tmp)).filter((n) => n.startsWith("exo-")), []);
  await rm(join(image, ".."), { recursive: true, force: true });
});

test.serial("as an unprivileged user, verify and sbom work on the same image and leave no folder behind", async (t) => {
  if (process.getuid?.() !== 0) return t.pass("already unprivileged: every other test ran as this user");
  // nobody can read the image (store paths are world-readable) but not the project's private key folder.
  await chmod(built.dir, 0o755);
  const key = join(await mkdtemp(join(tmpdir(), "exo-nobody-key-")), "trusted.pub");
  await copyFile(join(built.dir, "keys/test.pub"), key);
  await chmod(join(key, ".."), 0o755);
  const tmp = await mkdtemp(join(tmpdir(), "exo-nobody-tmp-"));
  await chmod(tmp, 0o777);
  const asNobody = (args: string[]) =>
    promisify(execFile)("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, EXO_BIN, ...args], { cwd: tmp, env: { ...process.env, TMPDIR: tmp, HOME: tmp } }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
  const verify = await asNobody(["verify", built.result, "--trusted", key, "--json"]);
  t.is(verify.code, 0, verify.stderr);
  t.true((JSON.parse(verify.stdout) as { ok: boolean }).ok);
  const sbom = await asNobody(["sbom", built.result, "--trusted", key]);
  t.is(sbom.code, 0, sbom.stderr);
  t.deepEqual((await readdir(tmp)).filter((n) => n.startsWith("exo-")), []);
});
