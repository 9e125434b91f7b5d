// Exo as an unprivileged user on a store of their own: build, verify,
// switch, run, gc and store verify all work (root skips the permission
// checks that a normal user meets, so every other test could not tell),
// and another user's store is refused with a clear error.
import test from "ava";
import { execFile } from "node:child_process";
import { chmod, chown, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXO_BIN, exo, fixture, REPO, tempProject } from "../helpers/exo.ts";

const NOBODY = 65534;

/** Run exo as uid/gid 65534 (setpriv, util-linux), in `cwd`. */
function asNobody(args: readonly string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      "setpriv",
      [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", process.execPath, EXO_BIN, ...args],
      { cwd, env: { ...process.env, HOME: cwd, TMPDIR: cwd }, maxBuffer: 64 << 20, timeout: 170_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : 99) : 0, stdout, stderr }),
    );
  });
}

/** Whether nobody can read the checkout at all (a CI clone under a private home cannot be run by another user). */
async function nobodyCanRun(cwd: string): Promise<boolean> {
  return (await asNobody(["--version"], cwd)).code === 0;
}

test("an unprivileged user builds, verifies, switches, boots and collects garbage on a store of their own", async (t) => {
  if (process.getuid?.() !== 0) return t.pass("not root: the whole suite already runs unprivileged");
  const dir = await mkdtemp(join(tmpdir(), "exo-nobody-"));
  await chmod(dir, 0o755);
  await chown(dir, NOBODY, NOBODY);
  if (!(await nobodyCanRun(dir))) return t.pass(`uid ${NOBODY} cannot read ${REPO}: nothing to test as another user here`);
  await writeFile(join(dir, "package.json"), `{ "type": "module", "private": true }\n`);
  await writeFile(join(dir, "exo.config.ts"), `export default { store: "store", keys: { secretKey: "keys/t.key", trusted: ["keys/t.pub"] } };\n`);
  for (const f of ["package.json", "exo.config.ts"]) await chown(join(dir, f), NOBODY, NOBODY);

  const step = async (args: string[]) => {
    const r = await asNobody(args, dir);
    t.is(r.code, 0, `exo ${args.join(" ")}: ${r.stderr}`);
    t.notRegex(r.stderr, /internal error/);
    return r;
  };
  await step(["keygen"]);
  await step(["build", fixture("all-formats.ts")]);
  await step(["verify", "result"]);
  await step(["switch", fixture("all-formats.ts")]);
  const boot = await step(["run", "--generation", "1", "--format", "raw"]);
  t.regex(boot.stdout, /exo: boot complete/);
  await step(["generations"]);
  const gc = await step(["gc"]);
  t.regex(gc.stdout, /roots keep \d+ paths/);
  await step(["store", "verify"]);
});

test("another user's store answers a fully cached build read-only, and refuses one that must write, saying whose it is", async (t) => {
  if (process.getuid?.() !== 0) return t.pass("not root: cannot act as a second user");
  const owner = await tempProject(); // root's project and store
  t.is((await exo(["build", fixture("bundle-only.ts"), "--no-sign"], { cwd: owner })).code, 0);
  const dir = await mkdtemp(join(tmpdir(), "exo-nobody-"));
  await chmod(dir, 0o777);
  await chmod(owner, 0o755);
  if (!(await nobodyCanRun(dir))) return t.pass(`uid ${NOBODY} cannot read ${REPO}`);
  // Everything is in the store already: nothing to write but the result link, which lives here.
  const cached = await asNobody(["build", fixture("bundle-only.ts"), "--store", join(owner, "store"), "--no-sign"], dir);
  t.is(cached.code, 0, cached.stderr);
  t.regex(cached.stderr, /nothing to build/);
  t.regex(cached.stderr, /warning: the store .* is read-only: result is not registered as a GC root/);
  // Another system must be built, which needs the store to be written.
  const r = await asNobody(["build", fixture("all-formats.ts"), "--no-sign", "--store", join(owner, "store")], dir);
  t.is(r.code, 1, r.stderr);
  t.regex(r.stderr, /^error\[ERR_EXO_STORE\]: the store .* is not writable by this user \(uid 65534\); it is owned by uid 0/);
  t.regex(r.stderr, /\nhint: each user builds into a store of their own/);
});
