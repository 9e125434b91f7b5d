// The store: content-addressed, read-only paths; keys recorded only for whole paths.
import test from "ava";
import { mkdtemp, readdir, readFile, stat, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { canonicalJson, hashJson } from "../../store/hash.ts";
import { sweepLeftovers } from "../../store/gc.ts";
import { Store } from "../../store/store.ts";
import { hashTree } from "../../store/tree.ts";

async function scratchWith(store: Store, files: Record<string, string>): Promise<string> {
  const dir = await store.scratch();
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, ".."), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

test("canonical JSON does not depend on key order", (t) => {
  t.is(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 4, e: 5 }] } }), '{"a":{"c":[3,{"e":5,"f":4}],"d":2},"b":1}');
  t.is(hashJson({ x: 1, y: 2 }), hashJson({ y: 2, x: 1 }));
});

test("a tree hash changes with any byte, name or executable bit", async (t) => {
  const store = new Store(await mkdtemp(join(tmpdir(), "exo-store-")));
  await store.init();
  const a = await hashTree(await scratchWith(store, { "x/a.txt": "hello" }));
  t.is(a, await hashTree(await scratchWith(store, { "x/a.txt": "hello" })));
  t.not(a, await hashTree(await scratchWith(store, { "x/a.txt": "hellp" })));
  t.not(a, await hashTree(await scratchWith(store, { "x/b.txt": "hello" })));
});

test("add names a path by its content, makes it read-only and records the key", async (t) => {
  const store = new Store(await mkdtemp(join(tmpdir(), "exo-store-")));
  await store.init();
  const name = await store.add("k1", "demo", await scratchWith(store, { "out.txt": "data" }), []);
  t.regex(name, /^[0-9a-f]{32}-demo$/);
  t.is(await store.lookup("k1"), name);
  t.is(await readFile(join(store.pathOf(name), "out.txt"), "utf8"), "data");
  t.is((await stat(join(store.pathOf(name), "out.txt"))).mode & 0o777, 0o444);
  t.is(await store.lookup("k2"), undefined);
  // Same content under another key: the same path, recorded for both keys.
  const again = await store.add("k2", "demo", await scratchWith(store, { "out.txt": "data" }), []);
  t.is(again, name);
  t.is(await store.lookup("k2"), name);
  t.is(basename(store.pathOf(name)), name);
});

test("gc's sweep leaves the records of a path a live process is adding, and takes a dead one's", async (t) => {
  const store = new Store(await mkdtemp(join(tmpdir(), "exo-store-")));
  await store.init();
  const adding = `${"a".repeat(32)}-adding`;
  const leftover = `${"b".repeat(32)}-leftover`;
  // This process protects `adding` and writes its meta and key, as moveIn does before the rename into paths/.
  await store.protect(adding);
  for (const name of [adding, leftover]) await writeFile(join(store.dir("meta"), name), "{}\n");
  await store.record("c".repeat(64), adding);
  await store.record("d".repeat(64), leftover);
  await sweepLeftovers(store);
  t.deepEqual((await readdir(store.dir("meta"))).sort(), [adding], "the leftover's meta goes, the one being added stays");
  t.is(await readFile(store.keyFile("c".repeat(64)), "utf8"), `${adding}\n`);
  await t.throwsAsync(readFile(store.keyFile("d".repeat(64)), "utf8"), { code: "ENOENT" });
});
