// Choosing packages: the highest version that meets every requirement,
// dependencies before their users; a missing package or version, and a
// cycle, name the chain that led there. The built-in set is pkgs/.
import test from "ava";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExoError } from "../../generator/errors.ts";
import { loadPackage, type LoadedPackage } from "../../generator/packages/manifest.ts";
import { packageKey } from "../../generator/packages/plan.ts";
import { resolvePackages, systemPackages } from "../../generator/packages/resolve.ts";
import { builtinPackages, builtinSummary } from "../../pkgs/index.ts";
import { REPO } from "../helpers/exo.ts";
import { builtinPackageSet } from "../../schemas/packages.ts";
import { evaluateProfile } from "../../generator/eval/index.ts";

async function make(root: string, name: string, version: string, extra = "", kind = "program"): Promise<LoadedPackage> {
  const dir = join(root, `${name}-${version}`);
  await mkdir(join(dir, "include"), { recursive: true });
  const headers = kind === "library" ? "headers: [include/x.h]\n" : "";
  await writeFile(join(dir, `${name}.exopkg`), `package: { name: ${name}, version: ${version}, description: Test package., license: MIT, kind: ${kind} }\nsources: [main.c]\n${headers}${extra}`);
  await writeFile(join(dir, "main.c"), "int x;\n");
  await writeFile(join(dir, "include/x.h"), "int f(void);\n");
  return loadPackage(dir);
}

test("the built-in set is pkgs/: each folder a package of that name, loading as any package does", async (t) => {
  const builtins = await builtinPackages();
  t.deepEqual(builtins.map((p) => p.manifest.package.name), ["busybox", "echo-server", "hello", "init", "ring-bench"]);
  for (const builtin of builtins) t.deepEqual((await loadPackage(builtin.dir)).manifest, builtin.manifest);
  // What evaluation reads instead of the manifests is current (npm run docs regenerates it).
  t.deepEqual(JSON.parse(await readFile(join(REPO, "pkgs/set.json"), "utf8")), await builtinSummary());
  t.deepEqual(Object.keys(builtinPackageSet).sort(), ["busybox", "echo-server", "hello", "init", "ring-bench"]);
});

test("a system's packages: init first, then what it installs and their runtime dependencies", async (t) => {
  const { config } = await evaluateProfile(join(REPO, "profiles/minimal.ts"));
  const system = { ...config, packages: { ...config.packages, install: ["ring-bench", "hello"] } };
  const keys = (await systemPackages(system, { profileDir: REPO })).packages.map((r) => packageKey(r.pkg));
  t.deepEqual(keys, ["init@0.1.0", "echo-server@0.1.0", "ring-bench@0.1.0", "hello@0.1.0"], "ring-bench needs echo-server at run time: it comes first");
});

test("the highest version meeting the requirement is chosen, libraries before their users", async (t) => {
  const root = await mkdtemp(join(tmpdir(), "exo-resolve-"));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const set = [
    await make(root, "greet", "0.3.1", "", "library"),
    await make(root, "greet", "0.3.4", "", "library"),
    await make(root, "greet", "0.4.0", "", "library"),
    await make(root, "app", "1.0.0", "dependencies: { build: { greet: ^0.3 } }\n"),
  ];
  const resolved = await resolvePackages(["app"], set);
  t.deepEqual(resolved.map((r) => packageKey(r.pkg)), ["greet@0.3.4", "app@1.0.0"]);
  t.deepEqual(resolved[1]!.libraries.map(packageKey), ["greet@0.3.4"]);
});

test("a missing package, a missing version and a cycle are errors naming the chain", async (t) => {
  const root = await mkdtemp(join(tmpdir(), "exo-resolve-"));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const lib = await make(root, "greet", "0.2.0", "", "library");
  const app = await make(root, "app", "1.0.0", "dependencies: { build: { greet: ^0.3 } }\n");
  const missing = await make(root, "tool", "1.0.0", "dependencies: { runtime: { helper: ^1 } }\n");
  const a = await make(root, "a", "1.0.0", "dependencies: { runtime: { b: ^1 } }\n");
  const b = await make(root, "b", "1.0.0", "dependencies: { runtime: { a: ^1 } }\n");
  const error = async (names: string[], set: LoadedPackage[]) => (await resolvePackages(names, set).catch((e: unknown) => e)) as ExoError;
  t.regex((await error(["app"], [lib, app])).message, /app@1\.0\.0 needs greet \^0\.3, but the package set has only 0\.2\.0/);
  t.regex((await error(["tool"], [missing])).message, /tool@1\.0\.0 needs helper \^1, but the package set has no helper/);
  t.regex((await error(["a"], [a, b])).message, /a cycle: a@1\.0\.0 → b@1\.0\.0 → a@1\.0\.0/);
  const typo = await error(["helo"], [...(await builtinPackages())]);
  t.regex(typo.message, /package helo is installed, but the package set has no helo/);
  t.regex(typo.hint ?? "", /did you mean `hello`\?/);
});
