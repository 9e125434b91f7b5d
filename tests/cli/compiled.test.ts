// exo compiled ahead of time (scripts/build-cli.mjs → dist/) runs only while
// it matches the sources, builds what the sources build, and compiles a
// user's TypeScript once per content. In a copy of the repository, so
// editing a source there never touches the suite's own exo.
import test from "ava";
import { appendFile, chmod, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { removeTree } from "../../store/fs.ts";
import { checkout, exoIn, run } from "../helpers/checkout.ts";

let copy: Promise<string> | undefined;
const repoCopy = (): Promise<string> => (copy ??= checkout({ compiled: true }));

test.after.always(async () => {
  // removeTree: the copy's store holds read-only folders, which only root could rm as they are.
  if (copy) await removeTree(await copy);
});

const SOURCES = { EXO_FROM_SOURCES: "1" };

test.serial("exo runs dist/ while it matches the sources, the sources once one is edited, and dist/ again after the build", async (t) => {
  const dir = await repoCopy();
  const { version } = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as { version: string };
  t.is((await exoIn(dir, ["--version"])).stdout, `exo ${version}\n`);
  t.is((await exoIn(dir, ["--version"], SOURCES)).stdout, `exo ${version} (from sources)\n`, "EXO_FROM_SOURCES forces the sources");

  const manifest = join(dir, "dist/manifest.json");
  const before = await stat(manifest);
  const unchanged = await run(process.execPath, ["scripts/build-cli.mjs", "--if-stale"], dir);
  t.is(unchanged.code, 0, unchanged.stderr);
  t.is((await stat(manifest)).mtimeMs, before.mtimeMs, "--if-stale leaves a current dist/ alone");

  // A comment in one source: dist/ no longer matches, so the sources run.
  await appendFile(join(dir, "generator/eval/merge.ts"), "// edited\n");
  t.is((await exoIn(dir, ["--version"])).stdout, `exo ${version} (from sources)\n`);
  const rebuilt = await run(process.execPath, ["scripts/build-cli.mjs", "--if-stale"], dir);
  t.is(rebuilt.code, 0, rebuilt.stderr);
  t.regex(rebuilt.stderr, /^compiled \d+ files into dist\/$/m);
  t.is((await exoIn(dir, ["--version"])).stdout, `exo ${version}\n`);
  t.regex(await readFile(join(dir, "dist/generator/eval/merge.js"), "utf8"), /\/\/ edited/);
  // A stamp is also broken by a file that vanished, or by tsconfig.build.json.
  await appendFile(join(dir, "tsconfig.build.json"), "\n");
  t.is((await exoIn(dir, ["--version"])).stdout, `exo ${version} (from sources)\n`);
  t.is((await run(process.execPath, ["scripts/build-cli.mjs"], dir)).code, 0);
});

test.serial("compiled and from sources, exo names the same definition sites and reuses the same store paths", async (t) => {
  const dir = await repoCopy();
  await writeFile(join(dir, "exo.config.ts"), `export default { store: "store", keys: { secretKey: "keys/test.key", trusted: ["keys/test.pub"] } };\n`);
  t.is((await exoIn(dir, ["keygen"])).code, 0);
  const explain = ["explain", "profiles/server.ts", "kernel.scheduler.emaAlpha"];
  const compiledExplain = await exoIn(dir, explain);
  t.is(compiledExplain.code, 0, compiledExplain.stderr);
  t.regex(compiledExplain.stdout, /declared in: modules\/kernel\/[\w/]+\.ts:\d+/);
  t.is((await exoIn(dir, explain, SOURCES)).stdout, compiledExplain.stdout);

  // Built compiled, then from sources: every derivation key is the same, so nothing is built again.
  const profile = "tests/fixtures/bundle-only.ts";
  const first = await exoIn(dir, ["build", profile, "--json", "--no-link"]);
  t.is(first.code, 0, first.stderr);
  const again = await exoIn(dir, ["build", profile, "--json", "--no-link"], SOURCES);
  t.is(again.code, 0, again.stderr);
  const built = (out: string) => out.split("\n").filter((l) => l.includes('"type":"built"')).length;
  t.true(built(first.stdout) > 10, "the first build built the system");
  t.is(built(again.stdout), 0, `from sources, the same keys: ${again.stdout}`);
  const result = (out: string) => JSON.parse(out.split("\n").find((l) => l.includes('"type":"result"')) ?? "{}") as { path?: string; configHash?: string };
  t.like(result(again.stdout), { path: result(first.stdout).path, configHash: result(first.stdout).configHash });
  t.truthy(result(first.stdout).path);
});

test.serial("a user's TypeScript is compiled once per content, through a cache that may also be unusable", async (t) => {
  const dir = await repoCopy();
  const cache = join(dir, "user-cache");
  // As tsx allows: `./x.js` names x.ts, and `./x` too.
  await writeFile(join(dir, "profiles/cached.ts"), `import { defineProfile } from "exo";\nimport { name } from "./cached-name.js";\nimport { slots } from "./cached-slots";\nexport default defineProfile({ config: { system: { name }, kernel: { ipc: { ringSlots: slots } } } });\n`);
  await writeFile(join(dir, "profiles/cached-name.ts"), `export const name: string = "cached";\n`);
  await writeFile(join(dir, "profiles/cached-slots.ts"), `export const slots: number = 1024;\n`);
  const slots = (env: NodeJS.ProcessEnv) => exoIn(dir, ["eval", "profiles/cached.ts", "kernel.ipc.ringSlots"], env);
  const entries = async () => {
    const found = new Map<string, number>();
    const root = join(cache, "exo/typescript");
    for (const shard of await readdir(root).catch(() => [])) for (const f of await readdir(join(root, shard))) found.set(f, (await stat(join(root, shard, f))).mtimeMs);
    return found;
  };

  const first = await slots({ XDG_CACHE_HOME: cache });
  t.is(first.stdout.trim(), "1024", first.stderr);
  const compiled = await entries();
  t.true(compiled.size >= 3, `the profile and its two modules are cached: ${[...compiled.keys()].join(", ")}`);
  t.is((await slots({ XDG_CACHE_HOME: cache })).stdout.trim(), "1024");
  t.deepEqual(await entries(), compiled, "nothing compiled again, nothing rewritten");

  await writeFile(join(dir, "profiles/cached-slots.ts"), `export const slots: number = 2048;\n`);
  t.is((await slots({ XDG_CACHE_HOME: cache })).stdout.trim(), "2048");
  const after = await entries();
  t.is(after.size, compiled.size + 1, "only the edited module is compiled again");
  for (const [file, mtime] of compiled) t.is(after.get(file), mtime);

  // Cached code runs, so a cached file that others may write is never used: it is compiled again.
  for (const file of after.keys()) {
    const path = join(cache, "exo/typescript", file.slice(0, 2), file);
    await writeFile(path, `throw new Error("planted");\n`);
    await chmod(path, 0o666);
  }
  const planted = await slots({ XDG_CACHE_HOME: cache });
  t.is(planted.stdout.trim(), "2048", planted.stderr);
  t.notRegex(planted.stderr, /planted/);

  // A cache folder that cannot be made (its parent is a file) only costs a compile.
  await writeFile(join(dir, "not-a-folder"), "");
  const uncached = await slots({ XDG_CACHE_HOME: join(dir, "not-a-folder") });
  t.is(uncached.code, 0, uncached.stderr);
  t.is(uncached.stdout.trim(), "2048");
});
