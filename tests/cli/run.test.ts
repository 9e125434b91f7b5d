// A real QEMU boot: the serial console must show the banner with this build's config hash.
import test from "ava";
import { readdir, readlink, symlink } from "node:fs/promises";
import { join } from "node:path";
import { exo, fixture, profile, tempProject } from "../helpers/exo.ts";

test("exo run boots the server profile and the banner carries its config hash", async (t) => {
  const dir = await tempProject({ sharedStore: true });
  const evaluated = await exo(["eval", profile("server.ts"), "--json"], { cwd: dir });
  // The banner prints the hash of what the kernel is built from: every option but image.*.
  const { configHash, systemHash } = JSON.parse(evaluated.stdout) as { configHash: string; systemHash: string };
  t.regex(systemHash, /^[0-9a-f]{64}$/);
  t.not(systemHash, configHash);
  const r = await exo(["run", profile("server.ts"), "--timeout", "60"], { cwd: dir });
  t.is(r.code, 0, r.stderr + r.stdout);
  t.regex(r.stdout, /exo: booting server \(x86_64\)/);
  t.true(r.stdout.includes(`exo: config ${systemHash}`), r.stdout);
  t.regex(r.stdout, /exo: features .*fusion-rings/);
  t.regex(r.stdout, /exo: ipc: fusion rings, 4096 slots x 64 B/);
  t.regex(r.stdout, /exo: boot complete/);
  t.regex(r.stderr, /kernel exited with status 0/);
});

test("the minimal profile boots without IPC, and its banner says so; exo run PROFILE leaves ./result alone", async (t) => {
  const dir = await tempProject({ sharedStore: true });
  // A result link from an earlier build of another profile: running a profile must not move it.
  await symlink("/nonexistent/earlier-build", join(dir, "result"));
  const r = await exo(["run", profile("minimal.ts")], { cwd: dir });
  t.is(r.code, 0, r.stderr + r.stdout);
  t.regex(r.stdout, /exo: booting minimal \(x86_64\)/);
  t.notRegex(r.stdout, /fusion/);
  t.regex(r.stdout, /exo: boot complete/);
  t.is(await readlink(join(dir, "result")), "/nonexistent/earlier-build");
  t.deepEqual((await readdir(dir)).filter((f) => f.startsWith("result")), ["result"], "no other result link either");
});

test("a daemon that exits early fails exo run, which names it, after init restarts it as its manifest says", async (t) => {
  const dir = await tempProject({ sharedStore: true });
  const r = await exo(["run", fixture("services-crashd.ts"), "--timeout", "90"], { cwd: dir });
  t.is(r.code, 1, r.stderr + r.stdout);
  t.regex(r.stderr, /^kernel exited with status 0 /m, "the kernel itself ended well");
  t.regex(r.stderr, /^error\[ERR_EXO_BOOT\]: 1 of 2 services failed: crashd \(daemon exited early with status 3 after 3 restarts\)$/m);
  t.is(r.stdout.match(/^crashd: pid \d+, giving up at once$/gm)?.length, 4, r.stdout);
  for (const n of [1, 2, 3]) t.regex(r.stdout, new RegExp(`^init: restarting crashd \\(${n} of 3, restart on-failure\\)$`, "m"));
  t.regex(r.stdout, /^init: crashd \(daemon\) exited early with status 3$/m);
  t.regex(r.stdout, /^init: echo-server stopped with status 137$/m, "the healthy daemon is not blamed");
  t.regex(r.stdout, /^init: 2 services, 1 failed$/m);
});

test("a missing QEMU is one line that names the package to install", async (t) => {
  const dir = await tempProject({ sharedStore: true });
  t.is((await exo(["build", profile("server.ts")], { cwd: dir })).code, 0);
  const r = await exo(["run", "result"], { cwd: dir, env: { PATH: "/nonexistent" } });
  t.is(r.code, 1);
  t.regex(r.stderr, /^error\[ERR_EXO_TOOL_MISSING\]: qemu-system-x86_64 was not found on PATH\nhint: install the Debian package qemu-system-x86/);
});

test("a tampered image is refused before it boots", async (t) => {
  const dir = await tempProject({ sharedStore: true });
  t.is((await exo(["build", profile("server.ts")], { cwd: dir })).code, 0);
  const other = await tempProject({ sharedStore: true });
  // Signed by the first project's key, which the second project does not trust.
  const r = await exo(["run", `${dir}/result`], { cwd: other });
  t.is(r.code, 1);
  t.regex(r.stderr, /refusing to boot/);
  t.regex(r.stderr, /not among the trusted keys/);
});
