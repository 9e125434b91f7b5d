// The generation commands end to end, in one project with two builds:
// switch, generations, diff, rollback, switch --generation, delete, gc, run.
import test from "ava";
import { readlink, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { exo } from "../helpers/exo.ts";
import { generationsProject } from "./setup.ts";

interface Listing {
  schema: string;
  current: number | null;
  generations: { number: number; current: boolean; profile: string; storePath: string; message: string | null; createdAt: string }[];
}

const dirP = (async () => {
  const dir = await generationsProject();
  const first = await exo(["switch", "base.yaml", "--message", "first"], { cwd: dir });
  const second = await exo(["switch", "changed.yaml"], { cwd: dir });
  if (first.code !== 0 || second.code !== 0) throw new Error(`switch failed: ${first.stderr}${second.stderr}`);
  return dir;
})();

async function listing(dir: string): Promise<Listing> {
  const run = await exo(["generations", "--json"], { cwd: dir });
  if (run.code !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as Listing;
}

test.serial("switch records numbered generations and moves the current pointer", async (t) => {
  const dir = await dirP;
  const list = await listing(dir);
  t.is(list.schema, "exo.generations/v1");
  t.is(list.current, 2);
  t.deepEqual(list.generations.map((g) => [g.number, g.current, g.profile, g.message]), [[1, false, "base.yaml", "first"], [2, true, "changed.yaml", null]]);
  t.false(JSON.stringify(list).includes(dir), "no absolute paths of the project");
  t.true(Date.parse(list.generations[0]!.createdAt) > 0);
  t.is((await readFile(join(dir, ".exo/generations/current"), "utf8")).trim(), "2");
  const record = JSON.parse(await readFile(join(dir, ".exo/generations/1.json"), "utf8")) as { schema: string; storePath: string };
  t.is(record.schema, "exo.generation/v1");
  t.is(record.storePath, list.generations[0]!.storePath);
  const text = await exo(["generations"], { cwd: dir });
  t.regex(text.stdout, /^\* +2 .*changed\.yaml.*\(current\)$/m);
});

test.serial("diff between generations names options, features, packages, formats and sizes", async (t) => {
  const dir = await dirP;
  const run = await exo(["diff", "1", "2", "--json"], { cwd: dir });
  t.is(run.code, 0, run.stderr);
  const diff = JSON.parse(run.stdout) as {
    schema: string;
    options: { path: string; old: unknown; new: unknown; newDefinedIn: string[] }[];
    features: { on: string[]; off: string[] };
    packages: { name: string; change: string; newVersion: string }[];
    imageFiles: { kind: string; path: string; change: string }[];
    closureSize: { old: number; new: number };
  };
  t.is(diff.schema, "exo.diff/v1");
  t.deepEqual(diff.options.find((o) => o.path === "kernel.ipc.ringSlots"), { path: "kernel.ipc.ringSlots", old: 4096, new: 1024, oldDefinedIn: ["base.yaml:9"], newDefinedIn: ["changed.yaml:8"] });
  t.deepEqual(diff.features, { on: ["lazy-fpu"], off: [] });
  t.deepEqual(diff.packages, [{ name: "hello", change: "added", oldVersion: null, newVersion: "0.1.0", oldSandbox: null, newSandbox: "console; 4 pages" }]);
  t.true(diff.imageFiles.some((f) => f.kind === "format" && f.path === "kernel/" && f.change === "added"));
  t.true(diff.imageFiles.some((f) => f.kind === "file" && f.path === "boot/kernel.elf" && f.change === "changed"));
  t.true(diff.closureSize.old > 0 && diff.closureSize.new > 0);
  t.false(run.stdout.includes("/tmp/"), "no absolute paths");

  const text = await exo(["diff", "1", "2"], { cwd: dir, env: { NO_COLOR: "1" } });
  t.regex(text.stdout, /^\[U\] kernel\.ipc\.ringSlots {2}4096 → 1024 {2}\(changed\.yaml:8\)$/m);
  t.regex(text.stdout, /^\[A\] package hello 0\.1\.0$/m);
  t.regex(text.stdout, /^\[\+\] lazy-fpu$/m);
  t.regex(text.stdout, /^closure size: /m);
  t.false(text.stdout.includes("\x1b["), "no colour when stdout is not a terminal");

  const same = await exo(["diff", "2", "changed.yaml", "--json"], { cwd: dir });
  t.is(same.code, 0, same.stderr);
  t.deepEqual((JSON.parse(same.stdout) as { options: unknown[] }).options, [], "a profile compares with the generation built from it");
});

test.serial("diff accepts a store path recorded by a generation, and rejects anything else", async (t) => {
  const dir = await dirP;
  const { generations } = await listing(dir);
  const path = join(dir, "store/v1/paths", generations[1]!.storePath);
  const run = await exo(["diff", "1", path, "--json"], { cwd: dir });
  t.is(run.code, 0, run.stderr);
  t.is((JSON.parse(run.stdout) as { b: { storePath: string } }).b.storePath, generations[1]!.storePath);
  const bad = await exo(["diff", "1", "nowhere"], { cwd: dir });
  t.is(bad.code, 1);
  t.regex(bad.stderr, /^error\[ERR_EXO_USAGE\]: 'nowhere' is neither a generation number/m);
  t.false(bad.stderr.includes("    at "), "no stack trace");
});

test.serial("run --generation boots that generation's verified image", async (t) => {
  const dir = await dirP;
  const run = await exo(["run", "--generation", "2", "--timeout", "60"], { cwd: dir });
  t.regex(run.stderr, /kernel exited with status \d+ after \d+ ms \(kernel, bios\)/);
  t.regex(run.stdout, /exo: boot complete/);
  const unknown = await exo(["run", "--generation", "7"], { cwd: dir });
  t.is(unknown.code, 1);
  t.regex(unknown.stderr, /generation 7 does not exist.*generations: 1, 2/);
});

test.serial("rollback steps back, --to and switch --generation move the pointer anywhere", async (t) => {
  const dir = await dirP;
  t.is((await exo(["rollback"], { cwd: dir })).code, 0);
  t.is((await listing(dir)).current, 1);
  const oldest = await exo(["rollback"], { cwd: dir });
  t.is(oldest.code, 1);
  t.regex(oldest.stderr, /generation 1 is the oldest there is/);
  const newer = await exo(["rollback", "--to", "2"], { cwd: dir });
  t.is(newer.code, 1);
  t.regex(newer.stderr, /generation 2 is not older than the current generation 1/);
  t.is((await exo(["switch", "--generation", "2"], { cwd: dir })).code, 0);
  t.is((await listing(dir)).current, 2);
  t.is((await exo(["rollback", "--to", "1"], { cwd: dir })).code, 0);
  t.is((await listing(dir)).current, 1);
  const unknown = await exo(["switch", "--generation", "5"], { cwd: dir });
  t.is(unknown.code, 1);
  t.regex(unknown.stderr, /^error\[ERR_EXO_GENERATION\]: generation 5 does not exist .*generations: 1, 2\nhint: /m);
});

test.serial("generations are GC roots until deleted; the current one cannot be deleted", async (t) => {
  const dir = await dirP;
  const { generations, current } = await listing(dir);
  t.is(current, 1);
  const roots = (await readdir(join(dir, "store/v1/roots"))).filter((n) => n.startsWith("gen-"));
  t.is(roots.length, 2);
  const targets = await Promise.all(roots.map((r) => readlink(join(dir, "store/v1/roots", r))));
  t.true(targets.some((p) => p.endsWith(generations[1]!.storePath)));

  t.is((await exo(["gc"], { cwd: dir })).code, 0);
  const paths = await readdir(join(dir, "store/v1/paths"));
  t.true(paths.includes(generations[0]!.storePath) && paths.includes(generations[1]!.storePath), "gc keeps every generation's image");

  const refused = await exo(["generations", "delete", "1"], { cwd: dir });
  t.is(refused.code, 1);
  t.regex(refused.stderr, /generation 1 is the current one and is kept/);
  t.is((await exo(["generations", "delete", "--older-than", "30"], { cwd: dir })).stdout, "no generation to delete\n");
  t.is((await exo(["generations", "delete", "--older-than", "0"], { cwd: dir })).code, 0);
  t.deepEqual((await listing(dir)).generations.map((g) => g.number), [1]);

  const gc = await exo(["gc"], { cwd: dir });
  t.is(gc.code, 0);
  t.false((await readdir(join(dir, "store/v1/paths"))).includes(generations[1]!.storePath), "a deleted generation's image is collectable");
  const deleted = await exo(["diff", "1", "2"], { cwd: dir });
  t.is(deleted.code, 1);
  t.regex(deleted.stderr, /generation 2 does not exist \(it was never made, or was deleted\); generations: 1/);
  const again = await exo(["generations", "delete", "2"], { cwd: dir });
  t.is(again.code, 1);
  t.regex(again.stderr, /generation 2 does not exist/);
});
