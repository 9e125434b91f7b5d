// The store through the command line, with real clang builds: concurrent
// builds, kill -9 at any point, verify and repair, path-info, gc.
import test from "ava";
import { spawn } from "node:child_process";
import { chmod, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { EXO_BIN, exo, profile, tempProject } from "../helpers/exo.ts";
import { lockFile } from "../../store/flock.ts";

interface Event {
  type: string;
  id?: string;
  path?: string;
}

const events = (stdout: string): Event[] => stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Event);

test("two exo build processes on one store both succeed and build each derivation once", async (t) => {
  const dir = await tempProject();
  const [a, b] = await Promise.all([
    exo(["build", profile("server.ts"), "--json", "--out-link", "ra"], { cwd: dir }),
    exo(["build", profile("server.ts"), "--json", "--out-link", "rb"], { cwd: dir }),
  ]);
  t.is(a.code, 0, a.stderr);
  t.is(b.code, 0, b.stderr);
  const built = [...events(a.stdout), ...events(b.stdout)].filter((e) => e.type === "built").map((e) => e.id!);
  t.is(new Set(built).size, built.length, `built twice: ${built.join(", ")}`);
  const total = events(a.stdout).find((e) => e.type === "plan") as unknown as { total: number };
  t.is(built.length, total.total, "between them, every derivation was built exactly once");
  const verify = await exo(["store", "verify"], { cwd: dir });
  t.is(verify.code, 0, verify.stdout);
});

/** Start a build and kill -9 it right after its `nth` event; resolves when it is dead. */
function killAfter(dir: string, nth: number): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [EXO_BIN, "build", profile("server.ts"), "--json", "--no-link", "--jobs", "2"], { cwd: dir });
    let seen = 0;
    let buffer = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      buffer += chunk;
      seen = buffer.split("\n").length - 1;
      if (seen >= nth) child.kill("SIGKILL");
    });
    child.on("close", () => resolve(seen));
  });
}

test("kill -9 at any point leaves no partial path, and a rerun succeeds and cleans up", async (t) => {
  const dir = await tempProject();
  for (const nth of [2, 6, 12, 19]) {
    await killAfter(dir, nth);
    const verify = await exo(["store", "verify"], { cwd: dir });
    t.is(verify.code, 0, `after a kill at event ${nth}: ${verify.stdout}`);
  }
  const rerun = await exo(["build", profile("server.ts")], { cwd: dir });
  t.is(rerun.code, 0, rerun.stderr);
  t.deepEqual(await readdir(join(dir, "store/v1/tmp")), [], "scratch of killed builds was removed");
  // Locks are flocks held by a child of their builder: a killed builder's are free again, whatever files remain.
  for (const name of await readdir(join(dir, "store/v1/locks"))) {
    const lock = await lockFile(join(dir, "store/v1/locks", name));
    t.truthy(lock, `lock ${name} is still held after its builder was killed`);
    await lock?.release();
  }
  t.is((await exo(["verify", "result"], { cwd: dir })).code, 0);
});

test("store verify finds a corrupted path, and --repair lets the next build restore it", async (t) => {
  const dir = await tempProject();
  const built = await exo(["build", profile("server.ts"), "--json"], { cwd: dir });
  const kernel = events(built.stdout).find((e) => e.type === "built" && e.id === "kernel")!.path!;
  const file = join(dir, "store/v1/paths", kernel, "kernel.elf");
  await chmod(file, 0o644);
  const bytes = await readFile(file);
  bytes[200] = bytes[200]! ^ 0xff;
  await writeFile(file, bytes);
  const verify = await exo(["store", "verify"], { cwd: dir });
  t.is(verify.code, 1);
  t.regex(verify.stdout, new RegExp(`${kernel}: content hash is [0-9a-f]{32}, the name says`));
  const repair = await exo(["store", "verify", "--repair"], { cwd: dir });
  t.is(repair.code, 0, repair.stdout);
  t.regex(repair.stdout, new RegExp(`deleted ${kernel}`));
  const rebuilt = await exo(["build", profile("server.ts"), "--json"], { cwd: dir });
  t.true(events(rebuilt.stdout).some((e) => e.type === "built" && e.id === "kernel"));
  t.is((await exo(["store", "verify"], { cwd: dir })).code, 0);
});

test("path-info shows references, and the closure with sizes", async (t) => {
  const dir = await tempProject();
  t.is((await exo(["build", profile("server.ts")], { cwd: dir })).code, 0);
  const info = await exo(["store", "path-info", "result"], { cwd: dir });
  t.is(info.code, 0, info.stderr);
  t.regex(info.stdout, /^[0-9a-f]{32}-image-server\n/);
  t.regex(info.stdout, /\n {2}references [0-9a-f]{32}-payload-server\n/);
  t.regex(info.stdout, /\n {2}references [0-9a-f]{32}-grub-images\n/);
  const json = await exo(["store", "path-info", "result", "--closure", "--size", "--json"], { cwd: dir });
  const doc = JSON.parse(json.stdout) as { schema: string; paths: { path: string; size: number }[]; totalSize: number };
  t.is(doc.schema, "exo.path-info/v1");
  t.true(doc.paths.some((p) => p.path.endsWith("-kernel-sources")), "the payload keeps the system's own generated sources");
  t.true(doc.paths.some((p) => p.path.endsWith("-kernel-server")));
  t.is(doc.totalSize, doc.paths.reduce((s, p) => s + p.size, 0));
  t.true(doc.totalSize > 10_000);
});

test("gc deletes what no result link reaches and keeps what one does", async (t) => {
  const dir = await tempProject();
  t.is((await exo(["build", profile("server.ts"), "--out-link", "server"], { cwd: dir })).code, 0);
  t.is((await exo(["build", profile("minimal.ts"), "--out-link", "minimal"], { cwd: dir })).code, 0);
  const dry = await exo(["gc", "--dry-run"], { cwd: dir });
  t.regex(dry.stdout, /2 roots keep \d+ paths; would free 0\.0 KiB in 0 paths/);
  await rm(join(dir, "minimal"));
  const planned = await exo(["gc", "--dry-run", "--json"], { cwd: dir });
  const plan = JSON.parse(planned.stdout) as { deleted: string[]; freedBytes: number };
  t.true(plan.deleted.some((p) => p.endsWith("-image-minimal")));
  t.false(plan.deleted.some((p) => p.endsWith("-image-server")));
  const gc = await exo(["gc"], { cwd: dir });
  t.is(gc.code, 0, gc.stderr);
  t.regex(gc.stdout, new RegExp(`freed [0-9.]+ KiB in ${plan.deleted.length} paths`));
  t.true(plan.freedBytes > 0);
  t.is((await exo(["verify", "server"], { cwd: dir })).code, 0);
  t.is((await exo(["store", "verify"], { cwd: dir })).code, 0);
  const again = await exo(["build", profile("server.ts"), "--out-link", "server"], { cwd: dir });
  t.regex(again.stderr, /nothing to build/);
});

test("build --check rebuilds everything and finds the same bytes", async (t) => {
  const dir = await tempProject();
  t.is((await exo(["build", profile("server.ts")], { cwd: dir })).code, 0);
  const check = await exo(["build", profile("server.ts"), "--check", "--no-link"], { cwd: dir });
  t.is(check.code, 0, check.stderr);
  t.regex(check.stderr, /checked: \d+ derivations built again with identical bytes/);
});
