// Debian's busybox-static, a glibc static ET_EXEC whose first PT_LOAD is at
// Linux's usual 0x400000, loads and runs under the Linux ABI now that the
// kernel lives in the higher half (KERNBASE) and user space starts at
// USER_MIN (64 KiB): taken unmodified as a prebuilt package, pinned by the
// SHA-256 of this machine's /bin/busybox, started by init as a task, it
// prints its usage banner on the serial console. ENOSYS lines are allowed.
import test from "ava";
import { createHash } from "node:crypto";
import { access, copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { exo, REPO, tempProject } from "../helpers/exo.ts";

const HOST_BUSYBOX = "/bin/busybox";

const hasBusybox = await access(HOST_BUSYBOX).then(
  () => true,
  () => false,
);

const manifest = (sha256: string) =>
  `package: { name: busybox, version: 1.35.0, description: Debian's busybox-static as it is., license: GPL-2.0-only }\n` +
  `prebuilt: { file: busybox, sha256: ${sha256} }\n` +
  `sandbox: { capabilities: [console, fs.read, memory.map, time], memoryPages: 2048 }\n` +
  `services: [{ name: busybox }]\n`;

(hasBusybox ? test : test.skip)(`Debian's static busybox, linked at 0x400000, runs under the Linux ABI and prints its banner${hasBusybox ? "" : ` (skipped: no ${HOST_BUSYBOX}; apt-get install busybox-static)`}`, async (t) => {
  const bytes = await readFile(HOST_BUSYBOX);
  // The premise: an ET_EXEC (type 2) whose first PT_LOAD is at 0x400000, below the old 1 GiB floor.
  t.is(bytes.readUInt16LE(16), 2, "busybox is ET_EXEC");
  const phoff = Number(bytes.readBigUInt64LE(32));
  const firstLoad = [...Array(bytes.readUInt16LE(56)).keys()].map((i) => phoff + i * 56).find((at) => bytes.readUInt32LE(at) === 1);
  t.is(bytes.readBigUInt64LE(firstLoad! + 16), 0x400000n, "its first PT_LOAD is at 0x400000");

  const dir = await tempProject({ sharedStore: true });
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, "busybox"));
  await copyFile(HOST_BUSYBOX, join(dir, "busybox", "busybox"));
  await writeFile(join(dir, "busybox", "busybox.exopkg"), manifest(createHash("sha256").update(bytes).digest("hex")));
  await writeFile(
    join(dir, "profile.ts"),
    `import { defineProfile } from "${join(REPO, "generator/api.ts")}";\nimport server from "${join(REPO, "profiles/server.ts")}";\n` +
      `export default defineProfile({ imports: [server], config: { packages: { set: { busybox: { path: "./busybox" } }, install: ["busybox"] } } });\n`,
  );
  const r = await exo(["run", "profile.ts", "--timeout", "120"], { cwd: dir });
  const out = r.stderr + r.stdout;
  t.regex(r.stdout, /^init: started busybox \(pid \d+,/m, out);
  // Started as /exo/bin/busybox, it is the applet "busybox": its usage, which begins with the version line.
  t.regex(r.stdout, /^BusyBox v1\.35\.0 .*multi-call binary\.$/m, out);
  // It ran to its end, as on Linux (the usage of `busybox` alone exits 0), and the kernel carried on.
  t.regex(r.stdout, /^init: busybox exited with status 0$/m, out);
  t.regex(r.stdout, /^exo: init exited with status 0$/m, out);
});
