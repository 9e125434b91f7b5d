// The store survives anything: build, gc and switch killed at each named
// step of their write sequences (EXO_CRASH_AT, store/crash.ts) and at
// random moments (a fixed seed), then checked: store verify is clean, no
// key names a missing path, and the next build gives the bytes of a clean
// one. Also gc in a loop during builds, the busiest of four concurrent
// builds killed, locks left empty or naming a live pid, and a full disk.
import test from "ava";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { execFile } from "node:child_process";
import { mkdir, readdir, readFile, readlink, rm, symlink, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import { EXO_BIN, exo, fixture, tempProject } from "../helpers/exo.ts";

const PROFILE = fixture("bundle-only.ts");
const tally = new Map<string, { trials: number; corrupt: number; hung: number }>();

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run exo; kill it with SIGKILL after `killAfterMs` if given; never longer than 120 s (a hang is a failure). */
function run(args: readonly string[], cwd: string, opts: { env?: NodeJS.ProcessEnv; killAfterMs?: number } = {}): Promise<Run & { hung: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [EXO_BIN, ...args], { cwd, env: { ...process.env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let hung = false;
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const kill = opts.killAfterMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), opts.killAfterMs);
    const limit = setTimeout(() => {
      hung = true;
      child.kill("SIGKILL");
    }, 120_000);
    child.on("close", (code, signal) => {
      clearTimeout(limit);
      if (kill) clearTimeout(kill);
      resolve({ code, signal, stdout, stderr, hung });
    });
  });
}

const sha = async (file: string) => createHash("sha256").update(await readFile(file)).digest("hex");

/** The bundle a clean build of PROFILE gives in project `dir` (signed with its key): what every build after a crash must give too. */
const references = new Map<string, Promise<string>>();
function reference(dir: string): Promise<string> {
  if (!references.has(dir)) {
    references.set(dir, (async () => {
      const r = await exo(["build", PROFILE, "--store", join(dir, "store-reference"), "--out-link", "reference"], { cwd: dir });
      if (r.code !== 0) throw new Error(r.stderr);
      return sha(join(dir, "reference/bundle.tar"));
    })());
  }
  return references.get(dir)!;
}

/** After a kill: a clean store, and a build that gives the reference bytes. */
async function consistent(t: { is: (a: unknown, b: unknown, m?: string) => void }, dir: string, store: string, what: string): Promise<boolean> {
  const verify = await run(["store", "verify", "--store", store], dir);
  t.is(verify.code, 0, `${what}: store verify after the kill: ${verify.stdout}${verify.stderr}`);
  const rebuilt = await run(["build", PROFILE, "--store", store, "--out-link", "after"], dir);
  t.is(rebuilt.code, 0, `${what}: the next build: ${rebuilt.stderr}`);
  const same = rebuilt.code === 0 && (await sha(join(dir, "after/bundle.tar"))) === (await reference(dir));
  t.is(same, true, `${what}: the next build's bundle differs from a clean build's`);
  return verify.code === 0 && same && !rebuilt.hung;
}

function count(kind: string, ok: boolean, hung: boolean): void {
  const c = tally.get(kind) ?? { trials: 0, corrupt: 0, hung: 0 };
  c.trials++;
  if (!ok) c.corrupt++;
  if (hung) c.hung++;
  tally.set(kind, c);
}

test.after.always((t) => {
  for (const [kind, c] of [...tally].sort()) t.log(`${kind}: ${c.trials} trials, ${c.corrupt} corrupt, ${c.hung} hung`);
});

/** A deterministic random sequence (mulberry32), so a failing trial can be run again. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const execFileAsync = promisify(execFile);

const BUILD_POINTS = ["add:after-meta", "add:after-rename", "add:after-rename#17", "add:after-valid", "add:after-valid#30", "add:after-key", "add:after-key#9"];

test("a build killed at each step of adding a path leaves a consistent store", async (t) => {
  const dir = await tempProject();
  for (const point of BUILD_POINTS) {
    const store = join(dir, `store-${point.replace(/\W/g, "-")}`);
    const killed = await run(["build", PROFILE, "--store", store, "--no-link"], dir, { env: { EXO_CRASH_AT: point } });
    t.is(killed.signal, "SIGKILL", `${point}: the build was not killed there: ${killed.stderr}`);
    count("build at a named point", await consistent(t, dir, store, point), killed.hung);
  }
});

test("a build killed at random moments leaves a consistent store", async (t) => {
  const dir = await tempProject();
  const random = seeded(11);
  for (let trial = 0; trial < 5; trial++) {
    const store = join(dir, `store-${trial}`);
    const ms = 300 + Math.floor(random() * 5000);
    const killed = await run(["build", PROFILE, "--store", store, "--no-link"], dir, { killAfterMs: ms });
    count("build at a random moment", await consistent(t, dir, store, `random kill ${trial} after ${ms} ms`), killed.hung);
  }
});

/**
 * A store with two results, one of them no longer linked: what gc has to delete. Built once per
 * project, then copied for each trial (cp -a keeps the store's read-only modes), with `kept` pointed into the copy.
 */
const garbageTemplates = new Map<string, Promise<string>>();
async function withGarbage(dir: string, store: string): Promise<void> {
  if (!garbageTemplates.has(dir)) garbageTemplates.set(dir, (async () => {
    const template = join(dir, "store-template");
    const other = join(dir, "other.yaml");
    await writeFile(other, `imports:\n  - ${PROFILE}\nkernel:\n  ipc:\n    ringSlots: 1024\n`);
    for (const [profile, link] of [[PROFILE, "kept"], [other, "dropped"]] as const) {
      const r = await run(["build", profile, "--store", template, "--out-link", link], dir);
      if (r.code !== 0) throw new Error(r.stderr);
    }
    await rm(join(dir, "dropped"));
    return template;
  })());
  const template = await garbageTemplates.get(dir)!;
  await execFileAsync("cp", ["-a", template, store]);
  const kept = join(dir, "kept");
  const target = join(store, "v1/paths", basename(await readlink(kept)));
  await rm(kept);
  await symlink(target, kept);
}

test("gc killed at each step, and at random moments, leaves a consistent store", async (t) => {
  const dir = await tempProject();
  const random = seeded(7);
  const trials = [...["gc:after-invalidate", "gc:after-keys", "gc:after-delete", "gc:after-delete#3", "gc:in-trash"].map((p) => ({ point: p as string | undefined, ms: undefined as number | undefined })), ...[0, 1, 2].map(() => ({ point: undefined, ms: 150 + Math.floor(random() * 700) }))];
  for (const [i, { point, ms }] of trials.entries()) {
    const store = join(dir, `store-${i}`);
    await withGarbage(dir, store);
    const killed = await run(["gc", "--store", store], dir, { ...(point ? { env: { EXO_CRASH_AT: point } } : {}), ...(ms !== undefined ? { killAfterMs: ms } : {}) });
    if (point) t.is(killed.signal, "SIGKILL", `${point}: gc was not killed there: ${killed.stdout}${killed.stderr}`);
    const kept = await run(["verify", "kept", "--trusted", join(dir, "keys/test.pub")], dir);
    t.is(kept.code, 0, `${point ?? `random ${ms} ms`}: what a root keeps was damaged: ${kept.stderr}`);
    const again = await run(["gc", "--store", store], dir);
    t.is(again.code, 0, `the next gc: ${again.stderr}`);
    t.deepEqual(await readdir(join(store, "v1/trash")), [], "the next process finished the trash");
    count(point ? "gc at a named point" : "gc at a random moment", kept.code === 0 && (await consistent(t, dir, store, point ?? `random ${ms} ms`)), killed.hung);
  }
});

test("switch killed at each step keeps every recorded generation rooted and whole", async (t) => {
  const dir = await tempProject();
  for (const point of ["switch:after-build", "switch:after-root", "switch:after-record", "switch:after-current"]) {
    const env = { EXO_STORE: join(dir, `store-${point.replace(/\W/g, "-")}`), EXO_GENERATIONS: join(dir, `gens-${point.replace(/\W/g, "-")}`) };
    const killed = await run(["switch", PROFILE], dir, { env: { ...env, EXO_CRASH_AT: point } });
    t.is(killed.signal, "SIGKILL", `${point}: ${killed.stderr}`);
    t.is((await run(["gc"], dir, { env })).code, 0);
    const list = JSON.parse((await run(["generations", "--json"], dir, { env })).stdout) as { generations: { number: number; storePath: string }[] };
    let whole = true;
    for (const g of list.generations) {
      const image = join(env.EXO_STORE, "v1/paths", g.storePath);
      const verify = await run(["verify", image, "--allow-downgrade"], dir, { env });
      t.is(verify.code, 0, `${point}: generation ${g.number} was recorded but its image is gone or damaged: ${verify.stderr}`);
      whole &&= verify.code === 0;
    }
    const next = await run(["switch", PROFILE], dir, { env });
    t.is(next.code, 0, `${point}: the next switch: ${next.stderr}`);
    const store = await run(["store", "verify"], dir, { env });
    t.is(store.code, 0, store.stdout);
    count("switch at a named point", whole && next.code === 0 && store.code === 0, killed.hung);
  }
});

test("gc in a loop during builds that reuse paths never takes a path from under them", async (t) => {
  const dir = await tempProject();
  const store = join(dir, "store");
  await withGarbage(dir, store);
  let building = true;
  let collections = 0;
  const loop = (async () => {
    while (building) {
      const gc = await run(["gc", "--store", store], dir);
      t.is(gc.code, 0, gc.stderr);
      collections++;
    }
  })();
  const builds = [];
  for (let i = 0; i < 3; i++) builds.push(await run(["build", i % 2 ? join(dir, "other.yaml") : PROFILE, "--store", store, "--out-link", `loop-${i}`], dir));
  building = false;
  await loop;
  for (const b of builds) t.is(b.code, 0, b.stderr);
  t.true(collections > 0);
  t.is((await run(["store", "verify", "--store", store], dir)).code, 0);
  for (let i = 0; i < 3; i++) {
    const verify = await run(["verify", `loop-${i}`, "--trusted", join(dir, "keys/test.pub")], dir);
    t.is(verify.code, 0, `loop-${i}: ${verify.stderr}`);
  }
});

test("the busiest of four concurrent builds killed: the others finish and no derivation is built twice", async (t) => {
  const dir = await tempProject();
  const store = join(dir, "store");
  const children = [0, 1, 2, 3].map(() => {
    const child = spawn(process.execPath, [EXO_BIN, "build", PROFILE, "--store", store, "--json", "--no-link"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    const state = { child, out: "", building: 0, done: new Promise<number | null>((r) => child.on("close", (code) => r(code))) };
    child.stdout.on("data", (d: Buffer) => {
      state.out += d.toString();
      state.building = state.out.split("\n").filter((l) => l.includes('"type":"building"')).length;
    });
    return state;
  });
  // Once builds are under way, kill the one that has started the most.
  await new Promise((r) => setTimeout(r, 2500));
  const busiest = children.reduce((a, b) => (b.building > a.building ? b : a));
  busiest.child.kill("SIGKILL");
  const codes = await Promise.all(children.map((c) => c.done));
  for (const c of children) if (c !== busiest) t.is(codes[children.indexOf(c)], 0);
  const built = new Map<string, number>();
  for (const c of children) for (const line of c.out.split("\n")) if (line.includes('"type":"built"')) {
    const id = (JSON.parse(line) as { id: string }).id;
    built.set(id, (built.get(id) ?? 0) + 1);
  }
  const twice = [...built].filter(([, n]) => n > 1);
  t.deepEqual(twice, [], "derivations built more than once");
  t.is((await run(["store", "verify", "--store", store], dir)).code, 0);
});

test("empty lock files and locks naming a live pid hold up no build", async (t) => {
  const dir = await tempProject();
  const store = join(dir, "store");
  t.is((await run(["build", PROFILE, "--store", store, "--out-link", "first"], dir)).code, 0);
  await rm(join(dir, "first"));
  t.is((await run(["gc", "--store", store], dir)).code, 0);
  // What pid files used to make of a crash: an empty lock, and one naming a pid that lives (this test's).
  const locks = await readdir(join(store, "v1/locks"));
  t.true(locks.length > 10);
  for (const [i, name] of locks.entries()) await writeFile(join(store, "v1/locks", name), i % 2 ? "" : `${process.pid}\n`);
  const again = await run(["build", PROFILE, "--store", store, "--no-link"], dir);
  t.false(again.hung, "the build hung on a lock");
  t.is(again.code, 0, again.stderr);
});

test("a full disk is a clear error naming the file, and leaves the store consistent", async (t) => {
  if (process.getuid?.() !== 0) return t.pass("mounting a small file system needs root");
  const dir = await tempProject();
  const small = join(dir, "small");
  await mkdir(small);
  try {
    await execFileAsync("mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", small]);
  } catch (e) {
    return t.pass(`no tmpfs here: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    const r = await run(["build", PROFILE, "--store", join(small, "store"), "--no-link"], dir);
    t.is(r.code, 1, r.stderr);
    // A compiler that fills the disk says so in its own words ("No space left on device").
    t.regex(r.stderr, /^error\[ERR_EXO_[A-Z_]+\]: (building .* failed: [^]*)?no space left|^error\[ERR_EXO_FILE_SYSTEM\]: no space left to write /im);
    t.notRegex(r.stderr, /internal error/);
    t.is((await run(["store", "verify", "--store", join(small, "store")], dir)).code, 0);
  } finally {
    await execFileAsync("umount", [small]).catch(() => undefined);
  }
});
