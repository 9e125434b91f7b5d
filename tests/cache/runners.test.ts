// Two CI runners share one binary cache in a real registry (Debian's
// docker-registry): separate projects, separate stores. The first builds
// and pushes; the second builds the same profile and substitutes every
// derivation, building none, with the same bytes. Then the registry is
// attacked: a tampered archive and a foreign key are refused by name.
import test from "ava";
import { cp, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { removeTree } from "../../store/fs.ts";
import { hashTree } from "../../store/tree.ts";
import { exo, profile, tempProject } from "../helpers/exo.ts";
import { startRegistry } from "../helpers/registry.ts";

type Registry = Awaited<ReturnType<typeof startRegistry>>;
let registry: Registry;
let first: string;
let cacheUrl: string;
let firstResult: string;
let firstPaths: number;

const PROFILE = profile("minimal.ts");

/** A project whose exo.config.ts lists the cache as its substituter, trusting `trusted`. */
async function configure(dir: string, trusted = "keys/test.pub"): Promise<void> {
  await writeFile(
    join(dir, "exo.config.ts"),
    `export default { store: "store", keys: { secretKey: "keys/test.key", trusted: ["keys/test.pub"] }, substituters: [{ url: ${JSON.stringify(cacheUrl)}, trusted: [${JSON.stringify(trusted)}] }] };\n`,
  );
}

/** A second runner: the same project files (profile, keys, config), a store of its own. */
async function secondRunner(): Promise<string> {
  const dir = `${first}-runner-${Math.random().toString(16).slice(2, 8)}`;
  await cp(first, dir, { recursive: true, filter: (src) => !src.startsWith(join(first, "store")) && !src.startsWith(join(first, "result")) });
  return dir;
}

interface Event {
  type: string;
  id?: string;
  from?: string;
  reason?: string;
  built?: number;
  substituted?: number;
  path?: string;
}

function events(stdout: string): Event[] {
  return stdout.trim().split("\n").map((l) => JSON.parse(l) as Event);
}

test.before(async () => {
  registry = await startRegistry();
  cacheUrl = registry.url("exo/cache");
  first = await tempProject();
  await configure(first);
  const build = await exo(["build", PROFILE, "--json"], { cwd: first });
  if (build.code !== 0) throw new Error(`first runner's build failed: ${build.stderr}`);
  const result = events(build.stdout).find((e) => e.type === "result")!;
  firstResult = join(first, "store/v1/paths", (await readdir(join(first, "store/v1/paths"))).find((p) => result.path!.endsWith(p))!);
  const push = await exo(["copy", "--to", cacheUrl, "result", "--json"], { cwd: first });
  if (push.code !== 0) throw new Error(`push failed: ${push.stderr}`);
  firstPaths = (JSON.parse(push.stdout) as { paths: number }).paths;
});

test.after.always(async () => {
  await registry?.stop();
});

test.serial("a second runner substitutes every derivation and builds none, byte for byte", async (t) => {
  const second = await secondRunner();
  const build = await exo(["build", PROFILE, "--json"], { cwd: second });
  t.is(build.code, 0, build.stderr);
  const all = events(build.stdout);
  const result = all.find((e) => e.type === "result")!;
  t.is(result.built, 0);
  t.true(result.substituted! > 0);
  t.is(all.filter((e) => e.type === "built").length, 0);
  t.is(all.filter((e) => e.type === "substituted").length, result.substituted!);
  t.true(all.filter((e) => e.type === "substituted").every((e) => e.from === cacheUrl));
  const mine = join(second, "store/v1/paths", result.path!.split("/").pop()!);
  t.is(result.path!.split("/").pop(), firstResult.split("/").pop());
  t.is(await hashTree(mine), await hashTree(firstResult));
  // The substituted store is whole: every path re-hashes to its name.
  const verify = await exo(["store", "verify"], { cwd: second });
  t.is(verify.code, 0, verify.stdout);
});

test.serial("two builds substituting into one empty store at once both finish, and the store is whole", async (t) => {
  const shared = await secondRunner();
  const [a, b] = await Promise.all([0, 1].map((i) => exo(["build", PROFILE, "--json", "--out-link", `result-${i}`], { cwd: shared })));
  t.is(a!.code, 0, a!.stderr);
  t.is(b!.code, 0, b!.stderr);
  for (const run of [a!, b!]) t.is(events(run.stdout).find((e) => e.type === "result")!.built, 0);
  const verify = await exo(["store", "verify"], { cwd: shared });
  t.is(verify.code, 0, verify.stdout);
});

test.serial("pushing again sends nothing; what is there is found with HEAD", async (t) => {
  const again = await exo(["copy", "--to", cacheUrl, "result", "--json"], { cwd: first });
  t.is(again.code, 0, again.stderr);
  const summary = JSON.parse(again.stdout) as { schema: string; paths: number; pathsSent: string[]; keysSent: number; bytesSent: number };
  t.is(summary.schema, "exo.copy/v1");
  t.is(summary.paths, firstPaths);
  t.deepEqual(summary.pathsSent, []);
  t.is(summary.keysSent, 0);
  t.is(summary.bytesSent, 0);
});

test.serial("records signed by a key the fetcher does not trust are refused, naming the cache and the path", async (t) => {
  const other = await tempProject();
  const name = firstResult.split("/").pop()!;
  const copy = await exo(["copy", "--from", cacheUrl, name, "--trusted", join(other, "keys/test.pub")], { cwd: other });
  t.is(copy.code, 1);
  t.true(copy.stderr.includes(cacheUrl), copy.stderr);
  t.regex(copy.stderr, /not among the trusted keys/);
  t.notRegex(copy.stderr, /\n\s+at /); // no stack trace
  t.deepEqual(await readdir(join(other, "store/v1/paths")), []);
});

test.serial("a tampered archive in the registry is refused by name and the derivation is built instead", async (t) => {
  // The largest blob is an archive (records and signatures are a few KiB): flip a byte in the registry's own storage.
  const blobs = join(registry.storage, "docker/registry/v2/blobs/sha256");
  let largest = { file: "", size: -1 };
  for (const shard of await readdir(blobs)) {
    for (const hex of await readdir(join(blobs, shard))) {
      const file = join(blobs, shard, hex, "data");
      const size = (await readFile(file)).length;
      if (size > largest.size) largest = { file, size };
    }
  }
  const original = await readFile(largest.file);
  const tampered = Buffer.from(original);
  tampered[1024] = tampered[1024]! ^ 0xff;
  await writeFile(largest.file, tampered);
  t.teardown(() => writeFile(largest.file, original));

  const third = await secondRunner();
  const build = await exo(["build", PROFILE, "--json"], { cwd: third });
  t.is(build.code, 0, build.stderr);
  const all = events(build.stdout);
  const refused = all.filter((e) => e.type === "substitute-refused");
  t.true(refused.length >= 1, build.stdout);
  t.true(refused.every((e) => e.from === cacheUrl));
  t.regex(refused[0]!.reason!, /store path [0-9a-f]{32}-/);
  const result = all.find((e) => e.type === "result")!;
  t.true(result.built! >= 1);
  // Built instead, reproducibly: the same image as the first runner's.
  t.is(result.path!.split("/").pop(), firstResult.split("/").pop());
  await removeTree(third); // store paths are read-only: rm alone fails for a user other than root
});
