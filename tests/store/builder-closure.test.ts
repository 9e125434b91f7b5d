// A builder's version covers every module it runs (generator/builders/closure.ts):
// its import closure, its npm packages by lock-file integrity, and the Node
// major version. End to end: in a copy of the repository, touching a module
// rebuilds exactly the derivations whose builders load it, and nothing else.
import test from "ava";
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { moduleClosure, specifiers } from "../../generator/builders/closure.ts";
import { builderVersion } from "../../generator/builders/version.ts";
import { evaluateProfile } from "../../generator/eval/index.ts";
import { systemPackages } from "../../generator/packages/resolve.ts";
import { planBuild } from "../../generator/plan/plan.ts";
import { fixture, REPO } from "../helpers/exo.ts";
import { removeTree } from "../../store/fs.ts";
import { checkout, exoIn } from "../helpers/checkout.ts";

const nodeMajor = process.versions.node.split(".")[0]!;

interface LockEntry {
  version?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
}

test("the image builder's closure holds the modules it imports, tar-stream and its dependencies from the lock file, and the Node major", async (t) => {
  const closure = moduleClosure(pathToFileURL(join(REPO, "generator/builders/image.ts")).href);
  const files = closure.files.map((f) => f.path);
  for (const file of ["generator/builders/image.ts", "generator/image/mbr.ts", "generator/image/tar.ts", "generator/builders/version.ts", "generator/builders/closure.ts"]) {
    t.true(files.includes(file), `${file} is in the closure`);
  }
  for (const f of closure.files) t.regex(f.sha256, /^[0-9a-f]{64}$/);
  t.is(closure.node, nodeMajor);
  t.false(files.some((f) => f.includes("node_modules")), "packages are named by the lock file, not by their files");

  const lock = JSON.parse(await readFile(join(REPO, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> };
  const tarStream = closure.packages.find((p) => p.path === "node_modules/tar-stream");
  const locked = lock.packages["node_modules/tar-stream"]!;
  t.deepEqual(tarStream, { path: "node_modules/tar-stream", name: "tar-stream", version: locked.version, integrity: locked.integrity });
  // tar-stream's own dependencies, transitively, as the lock file records them.
  const names = new Set(closure.packages.map((p) => p.name));
  for (const dep of ["streamx", "b4a", "fast-fifo", ...Object.keys(lock.packages["node_modules/streamx"]!.dependencies ?? {})]) {
    if (lock.packages[`node_modules/${dep}`]) t.true(names.has(dep), `${dep} (a dependency of tar-stream) is in the closure`);
  }
  for (const p of closure.packages) t.is(p.integrity, lock.packages[p.path]!.integrity!, `${p.name} is identified by its lock-file integrity`);
});

test("a builder's version is stable within a process and covers `extra`", (t) => {
  const url = pathToFileURL(join(REPO, "generator/builders/initrd.ts")).href;
  t.is(builderVersion(url), builderVersion(url));
  t.not(builderVersion(url, { tool: 1 }), builderVersion(url, { tool: 2 }));
  t.not(builderVersion(url), builderVersion(pathToFileURL(join(REPO, "generator/builders/link.ts")).href));
});

test("imports are found however they are written; type-only imports are skipped, and no comment or string hides a real import", (t) => {
  const cases: [string, string[]][] = [
    [`import type { A } from "./a.ts";\nimport { b } from "./b.ts";`, ["./b.ts"]],
    [`// import type stuff\nimport { b } from "./b.ts";`, ["./b.ts"]],
    [`/* export type */ export { b } from "./b.ts"`, ["./b.ts"]],
    [`export type { A }\nexport { B } from "./b.ts"`, ["./b.ts"]],
    [`export type * from "./t.ts"`, []],
    [`import type from "./t.ts"`, ["./t.ts"]],
    [`import type  from "./t.ts"`, ["./t.ts"]],
    [`import type, { x } from "./t.ts"`, ["./t.ts"]],
    [`import typeface from "./t.ts"`, ["./t.ts"]],
    [`import { type A } from "./a.ts"`, ["./a.ts"]],
    [`const s = "from"; import "./y.ts"`, ["; import ", "./y.ts"]],
    [`x = "from"; export { a } from "./a.ts"`, ["; export { a } from ", "./a.ts"]],
    [`await import("./d.ts"); require('./r.cjs'); import(\`./t.ts\`)`, ["./d.ts", "./r.cjs", "./t.ts"]],
    [`import {\n  a, // don't\n  b,\n} from "./m.ts"`, ["./m.ts"]],
    [`import * as ns from "pkg/sub.js"; import def, { x as y } from '@s/p'`, ["pkg/sub.js", "@s/p"]],
  ];
  for (const [text, want] of cases) t.deepEqual(specifiers(text).sort(), [...want].sort(), text);
});

test("resolution as Node and tsx do it: .js for .ts, folders, dynamic imports, lock-file packages and their dependencies; builtins and type imports count for nothing", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "exo-closure-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const lock = {
    lockfileVersion: 3,
    packages: {
      "": { name: "demo" },
      "node_modules/pkg": { version: "1.0.0", integrity: "sha512-pkg", dependencies: { dep: "^2" } },
      "node_modules/dep": { version: "2.0.0", integrity: "sha512-dep", dependencies: { nested: "^1" } },
      "node_modules/dep/node_modules/nested": { version: "1.5.0", integrity: "sha512-nested-inner" },
      "node_modules/nested": { version: "9.0.0", integrity: "sha512-nested-outer" },
      "node_modules/unused": { version: "3.0.0", integrity: "sha512-unused" },
      "node_modules/@scope/types": { version: "1.0.0", integrity: "sha512-types" },
    },
  };
  await writeFile(join(dir, "package-lock.json"), JSON.stringify(lock));
  await mkdir(join(dir, "src/lib"), { recursive: true });
  await writeFile(
    join(dir, "src/entry.ts"),
    [
      `import { readFileSync } from "node:fs";`,
      `import { join } from "path";`,
      `import { b } from "./b.js";`,
      `import lib from "./lib";`,
      `import type { T } from "./types.ts";`,
      `import type { S } from "@scope/types";`,
      `import { p } from "pkg/sub.js";`,
      `export const later = () => import("./late.ts");`,
    ].join("\n"),
  );
  await writeFile(join(dir, "src/b.ts"), `export { c } from "../c.ts";\n`);
  await writeFile(join(dir, "c.ts"), `import data from "./data.json" with { type: "json" };\nexport const c = data;\n`);
  await writeFile(join(dir, "data.json"), `{}\n`);
  await writeFile(join(dir, "src/lib/index.ts"), `export default 1;\n`);
  await writeFile(join(dir, "src/types.ts"), `export type T = number;\n`);
  await writeFile(join(dir, "src/late.ts"), `export {};\n`);

  const closure = moduleClosure(join(dir, "src/entry.ts"));
  t.deepEqual(closure.files.map((f) => f.path), ["c.ts", "data.json", "src/b.ts", "src/entry.ts", "src/late.ts", "src/lib/index.ts"]);
  t.deepEqual(
    closure.packages.map((p) => [p.path, p.version, p.integrity]),
    [
      ["node_modules/dep", "2.0.0", "sha512-dep"],
      ["node_modules/dep/node_modules/nested", "1.5.0", "sha512-nested-inner"],
      ["node_modules/pkg", "1.0.0", "sha512-pkg"],
    ],
  );
  t.is(closure.node, nodeMajor);
});

// ---- End to end, in a copy of the repository ----

interface Event {
  type: string;
  id?: string;
  path?: string;
}

/** Builder name (as plans name them) to the module that defines it. */
const BUILDER_MODULES: Record<string, string> = {
  "kernel-sources": "generator/builders/kernel-sources.ts",
  "user-sources": "generator/builders/kernel-sources.ts",
  compile: "generator/builders/compile.ts",
  link: "generator/builders/link.ts",
  initrd: "generator/builders/initrd.ts",
  bootloader: "generator/builders/bootloader.ts",
  payload: "generator/builders/payload.ts",
  image: "generator/builders/image.ts",
  "package-sources": "generator/builders/package.ts",
  package: "generator/builders/package.ts",
};

let copy = "";
/** Derivation id to builder name, from the plan of the fixture. */
let builders = new Map<string, string>();
/** The events of the last build in the copy. */
let last: Event[] = [];

/** The copy, its key and its first (cold) build: made once, by the first end-to-end test, so the unit tests above never wait on it. */
let ready: Promise<void> | undefined;
function setup(): Promise<void> {
  ready ??= (async () => {
    // Compiled, as the suite's own exo is: the first build runs dist/, and once a source is edited, the sources (their keys must agree).
    copy = await checkout({ compiled: true });
    await writeFile(join(copy, "exo.config.ts"), `export default { store: "store", keys: { secretKey: "keys/test.key", trusted: ["keys/test.pub"] } };\n`);
    const keygen = await exoIn(copy, ["keygen"]);
    if (keygen.code !== 0) throw new Error(`keygen failed: ${keygen.stderr}`);
    const evaluation = await evaluateProfile(fixture("all-formats.ts"));
    const graph = planBuild(evaluation, { keyId: null, ...(await systemPackages(evaluation.config, { profileDir: copy })) });
    builders = new Map(graph.derivations.map((d) => [d.id, d.builder]));
    last = await build();
  })();
  return ready;
}

test.after.always(async () => {
  // removeTree: the copy's store holds read-only folders, which only root could rm as they are.
  if (copy) await removeTree(copy);
});

/** The derivations whose builder's closure (in the copy) holds `file`. */
function loaders(file: string): string[] {
  return [...builders]
    .filter(([, builder]) => moduleClosure(join(copy, BUILDER_MODULES[builder]!)).files.some((f) => f.path === file))
    .map(([id]) => id)
    .sort();
}

const built = (events: Event[]) => events.filter((e) => e.type === "built").map((e) => e.id!).sort();
const reused = (events: Event[]) => events.filter((e) => e.type === "reused").map((e) => e.id!).sort();
const pathOf = (events: Event[], id: string) => events.find((e) => e.id === id && e.path !== undefined)?.path;

test.serial("every builder the plan names is known to this test", async (t) => {
  t.timeout(600_000);
  await setup();
  t.true(builders.size > 20);
  for (const builder of new Set(builders.values())) t.truthy(BUILDER_MODULES[builder], `builder ${builder} has a module`);
  t.is(built(last).length, builders.size, "the first build in the copy builds everything");
});

test.serial("a comment added to generator/image/mbr.ts rebuilds exactly the derivations whose builders load it", async (t) => {
  t.timeout(600_000);
  await setup();
  const expected = loaders("generator/image/mbr.ts");
  t.true(expected.includes("image"));
  const before = last;
  await appendFile(join(copy, "generator/image/mbr.ts"), "\n// builder-closure.test: a comment, nothing else\n");
  const events = (last = await build());
  t.deepEqual(built(events), expected);
  t.deepEqual(reused(events), [...builders.keys()].filter((id) => !expected.includes(id)).sort());
  t.true(reused(events).includes("kernel"));
  t.true(reused(events).includes("initrd"));
  const objects = [...builders.keys()].filter((id) => id.startsWith("obj:"));
  t.true(objects.length > 0 && objects.every((id) => reused(events).includes(id)), "every kernel object is reused");
  t.is(pathOf(events, "kernel"), pathOf(before, "kernel"));
});

test.serial("a comment added to generator/image/tar.ts rebuilds the initrd and the builders that import it; the initrd's bytes are unchanged, so the kernel is reused", async (t) => {
  t.timeout(600_000);
  await setup();
  const expected = loaders("generator/image/tar.ts");
  t.true(expected.includes("initrd") && expected.includes("image"));
  const before = last;
  await appendFile(join(copy, "generator/image/tar.ts"), "\n// builder-closure.test: a comment, nothing else\n");
  const events = (last = await build());
  t.log(`rebuilt after touching generator/image/tar.ts: ${built(events).join(", ")}`);
  t.deepEqual(built(events), expected);
  t.deepEqual(reused(events), [...builders.keys()].filter((id) => !expected.includes(id)).sort());
  t.is(pathOf(events, "initrd"), pathOf(before, "initrd"), "the initrd was built again, with the same bytes");
  t.true(reused(events).includes("kernel"));
  t.is(pathOf(events, "kernel"), pathOf(before, "kernel"));
  const objects = [...builders.keys()].filter((id) => id.startsWith("obj:"));
  t.true(objects.every((id) => reused(events).includes(id)), "every kernel object is reused");
});

async function build(): Promise<Event[]> {
  const r = await exoIn(copy, ["build", "tests/fixtures/all-formats.ts", "--json"]);
  if (r.code !== 0) throw new Error(`exo build in the copy failed (${r.code}):\n${r.stderr}`);
  return r.stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Event);
}
