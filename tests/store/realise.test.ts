// Realising build graphs with small builders: early cut-off, parallelism,
// locking between concurrent builds, logs, and --check.
import test from "ava";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExoError } from "../../generator/errors.ts";
import type { BuildGraph, Builder, Derivation } from "../../store/derivation.ts";
import { type BuildEvent, realise } from "../../store/realise.ts";
import { Store } from "../../store/store.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Builders that count their runs and how many run at once. */
function builders(delayMs = 0) {
  const runs = new Map<string, number>();
  let running = 0;
  let peak = 0;
  const count = (name: string) => runs.set(name, (runs.get(name) ?? 0) + 1);
  const write: Builder = {
    version: "write-1",
    async run(ctx) {
      running++;
      peak = Math.max(peak, running);
      count(`write:${(ctx.args as { text: string }).text}`);
      await sleep(delayMs);
      ctx.log("writing out.txt");
      await writeFile(join(ctx.out, "out.txt"), (ctx.args as { text: string }).text);
      running--;
    },
  };
  const upper: Builder = {
    version: "upper-1",
    async run(ctx) {
      count("upper");
      const text = await readFile(join(ctx.inputs.src!, "out.txt"), "utf8");
      await writeFile(join(ctx.out, "out.txt"), text.toUpperCase());
    },
  };
  return { registry: { write, upper } as Record<string, Builder>, runs, peak: () => peak };
}

function graph(derivations: Derivation[], output: string): BuildGraph {
  return { schema: "exo.plan/v1", derivations, output };
}

const two = (ignored: number): BuildGraph =>
  graph(
    [
      { id: "a", name: "a", builder: "write", args: { text: "hello", ignored }, inputs: {} },
      { id: "b", name: "b", builder: "upper", args: {}, inputs: { src: { node: "a" } } },
    ],
    "b",
  );

const tempStore = async () => new Store(await mkdtemp(join(tmpdir(), "exo-realise-")));

test("an unchanged output stops the rebuild downstream (early cut-off)", async (t) => {
  const store = await tempStore();
  const b = builders();
  const first = await realise(two(1), { store, builders: b.registry, jobs: 2 });
  const events: BuildEvent[] = [];
  const second = await realise(two(2), { store, builders: b.registry, jobs: 2, onEvent: (e) => events.push(e) });
  t.is(b.runs.get("write:hello"), 2, "a's arguments changed, so a is built again");
  t.is(b.runs.get("upper"), 1, "a's output did not change, so b is reused");
  t.is(second.paths.get("b"), first.paths.get("b"));
  t.true(events.some((e) => e.type === "reused" && e.id === "b"));
  t.is(await readFile(join(store.pathOf(second.paths.get("b")!), "out.txt"), "utf8"), "HELLO");
});

test("independent derivations build in parallel, never more than --jobs at once", async (t) => {
  const four = (tag: string) => graph([0, 1, 2, 3].map((i) => ({ id: `d${i}`, name: `d${i}`, builder: "write", args: { text: `${tag}${i}` }, inputs: {} })), "d0");
  const serial = builders(80);
  await realise(four("s"), { store: await tempStore(), builders: serial.registry, jobs: 1 });
  t.is(serial.peak(), 1);
  const parallel = builders(80);
  await realise(four("p"), { store: await tempStore(), builders: parallel.registry, jobs: 2 });
  t.is(parallel.peak(), 2);
});

test("two concurrent builds of one graph on one store build each derivation once", async (t) => {
  const root = await mkdtemp(join(tmpdir(), "exo-realise-"));
  const b = builders(150);
  const [x, y] = await Promise.all([
    realise(two(1), { store: new Store(root), builders: b.registry, jobs: 2 }),
    realise(two(1), { store: new Store(root), builders: b.registry, jobs: 2 }),
  ]);
  t.is(b.runs.get("write:hello"), 1);
  t.is(b.runs.get("upper"), 1);
  t.is(x.paths.get("b"), y.paths.get("b"));
  t.is(x.built + y.built, 2);
});

test("a failing builder leaves its log in the store and names it", async (t) => {
  const store = await tempStore();
  const failing: Builder = {
    version: "fail-1",
    async run(ctx) {
      ctx.log("step 1 of 2 went fine");
      throw new Error("step 2 broke");
    },
  };
  const g = graph([{ id: "x", name: "x", builder: "fail", args: {}, inputs: {} }], "x");
  const e = await t.throwsAsync(realise(g, { store, builders: { fail: failing }, jobs: 1 }), { instanceOf: ExoError });
  t.regex(e!.message, /building x failed: step 2 broke/);
  const logFile = /the build log is (\S+)/.exec(e!.hint ?? "")![1]!;
  t.regex(await readFile(logFile, "utf8"), /step 1 of 2 went fine\nstep 2 broke/);
  t.deepEqual(await store.listPaths(), [], "nothing half-built reached the store");
});

test("--check builds again and names the first file that differs", async (t) => {
  const store = await tempStore();
  let n = 0;
  const flaky: Builder = {
    version: "flaky-1",
    async run(ctx) {
      await writeFile(join(ctx.out, "stable.txt"), "same");
      await writeFile(join(ctx.out, "stamp.txt"), `build ${n++}`);
    },
  };
  const g = graph([{ id: "x", name: "x", builder: "flaky", args: {}, inputs: {} }], "x");
  await realise(g, { store, builders: { flaky }, jobs: 1 });
  const e = await t.throwsAsync(realise(g, { store, builders: { flaky }, jobs: 1, check: true }), { instanceOf: ExoError });
  t.is(e!.code, "ERR_EXO_NOT_REPRODUCIBLE");
  t.regex(e!.message, /derivation x is not reproducible: stamp\.txt differs/);
  const steady = builders();
  await realise(two(1), { store, builders: steady.registry, jobs: 1 });
  await t.notThrowsAsync(realise(two(1), { store, builders: steady.registry, jobs: 1, check: true }));
});

test("an input may name a path already in the store, and a missing one is an error naming it", async (t) => {
  const store = await tempStore();
  const b = builders();
  const first = await realise(two(1), { store, builders: b.registry, jobs: 2 });
  const earlier = first.paths.get("a")!;
  const onStore = graph([{ id: "c", name: "c", builder: "upper", args: {}, inputs: { src: { storePath: earlier } } }], "c");
  const second = await realise(onStore, { store, builders: b.registry, jobs: 2 });
  t.is(await readFile(join(store.pathOf(second.paths.get("c")!), "out.txt"), "utf8"), "HELLO");
  t.deepEqual((await store.pathInfo(second.paths.get("c")!))?.references, [earlier], "the older path is a reference, so gc keeps it");
  const missing = graph([{ id: "c", name: "c", builder: "upper", args: {}, inputs: { src: { storePath: "0000-gone" } } }], "c");
  await t.throwsAsync(realise(missing, { store, builders: b.registry, jobs: 2 }), { message: /input src names 0000-gone, which is not in the store/ });
});
