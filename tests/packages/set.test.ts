// The package set as a module option: packages from a profile's folders,
// overrides with the usual priorities, "did you mean" for a misspelled
// install, and a sandbox a profile widens: a warning unless it says mkForce.
import test from "ava";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evaluateProfile } from "../../generator/eval/index.ts";
import { forcedIn } from "../../generator/packages/forced.ts";
import { packageKey } from "../../generator/packages/plan.ts";
import { systemPackages } from "../../generator/packages/resolve.ts";
import { exo, REPO } from "../helpers/exo.ts";

/** A project with the example's packages and a profile of `body` (the inside of `config: { ... }`). */
async function project(t: { teardown(fn: () => Promise<void>): void }, body: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "exo-set-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await cp(join(REPO, "examples/greeter/pkgs"), join(dir, "pkgs"), { recursive: true });
  await writeFile(join(dir, "package.json"), `{ "type": "module", "private": true }\n`);
  await writeFile(join(dir, "profile.ts"), `import { defineProfile, mkForce } from "${join(REPO, "generator/api.ts")}";\nvoid mkForce;\nexport default defineProfile({ config: { system: { name: "t", arch: "x86_64" }, ${body} } });\n`);
  return join(dir, "profile.ts");
}

async function packagesOf(profile: string) {
  const evaluation = await evaluateProfile(profile);
  return systemPackages(evaluation.config, { profileDir: join(profile, ".."), forced: forcedIn(evaluation) });
}

const greeterSet = `libgreet: { path: "./pkgs/libgreet" }, greeter: { path: "./pkgs/greeter" }`;

test("a package from the profile's folder, its library resolved beside it; paths are kept as written, relative", async (t) => {
  const profile = await project(t, `packages: { set: { ${greeterSet} }, install: ["greeter"] }`);
  const { packages, warnings } = await packagesOf(profile);
  t.deepEqual(packages.map((r) => packageKey(r.pkg)), ["init@0.1.0", "libgreet@1.0.0", "greeter@2.0.0"]);
  t.deepEqual(warnings, []);
  const { config } = await evaluateProfile(profile);
  t.is(config.packages.set.greeter!.path, "./pkgs/greeter", "no absolute path enters the configuration");
  t.is(config.packages.set.hello!.path, "exo:hello", "Exo's own packages are in the set by default");
});

test("overrides: another version and flags for one attribute, a sandbox tightened silently", async (t) => {
  const profile = await project(t, `packages: { set: { ${greeterSet}, old: { path: "./pkgs/greeter", version: "1.0.0", cflags: ["-DOLD=1"], sandbox: { capabilities: ["console"], memoryPages: 8 } } }, install: ["greeter", "old"] }`);
  const { packages, warnings } = await packagesOf(profile);
  const old = packages.find((r) => packageKey(r.pkg) === "greeter@1.0.0")!;
  t.deepEqual(old.pkg.manifest.build.cflags, ["-DOLD=1"]);
  t.deepEqual(old.sandbox.capabilities, ["console"]);
  t.is(old.sandbox.memoryPages, 8);
  t.deepEqual(old.sandbox.read, ["/etc/exo"], "fields the profile left alone are the manifest's");
  t.deepEqual(packages.find((r) => packageKey(r.pkg) === "greeter@2.0.0")!.sandbox.capabilities, ["console", "fs.read"]);
  t.deepEqual(warnings, []);
});

test("widening a sandbox warns, naming the option and what it adds; mkForce says it is meant", async (t) => {
  const widened = await project(t, `packages: { set: { ${greeterSet.replace('greeter: { path: "./pkgs/greeter" }', 'greeter: { path: "./pkgs/greeter", sandbox: { capabilities: ["console", "fs.read", "time"], read: ["/etc"], memoryPages: 64 } }')} }, install: ["greeter"] }`);
  const { warnings } = await packagesOf(widened);
  t.deepEqual(warnings, [
    "packages.set.greeter.sandbox.capabilities widens the sandbox of greeter@2.0.0 beyond its manifest: capabilities time; write mkForce(...) to mean it",
    "packages.set.greeter.sandbox.memoryPages widens the sandbox of greeter@2.0.0 beyond its manifest: 64 pages of memory (its manifest asks 16); write mkForce(...) to mean it",
    "packages.set.greeter.sandbox.read widens the sandbox of greeter@2.0.0 beyond its manifest: reading /etc; write mkForce(...) to mean it",
  ]);
  const forced = await project(t, `packages: { set: { ${greeterSet.replace('greeter: { path: "./pkgs/greeter" }', 'greeter: { path: "./pkgs/greeter", sandbox: mkForce({ capabilities: ["console", "fs.read", "time"] }) }')} }, install: ["greeter"] }`);
  t.deepEqual((await packagesOf(forced)).warnings, []);
  const byPolicy = await project(t, `sandbox: { policies: { wide: { capabilities: ["console", "spawn"] } } }, packages: { set: { ${greeterSet} }, install: ["greeter"], policies: { greeter: "wide" } }`);
  t.deepEqual((await packagesOf(byPolicy)).warnings, [
    'packages.policies.greeter ("wide") widens the sandbox of greeter@2.0.0 beyond its manifest: capabilities spawn; write mkForce(...) to mean it',
    'packages.policies.greeter ("wide") widens the sandbox of greeter@2.0.0 beyond its manifest: 256 pages of memory (its manifest asks 16); write mkForce(...) to mean it',
  ]);
});

test("exo build: a misspelled install gets did-you-mean; a missing folder names the option; exit 1 without a stack", async (t) => {
  const typo = await project(t, `packages: { set: { ${greeterSet} }, install: ["greter"] }`);
  const r = await exo(["build", "--dry-run", "--no-sign", typo], { cwd: join(typo, "..") });
  t.is(r.code, 1);
  t.regex(r.stderr, /packages\.install holds "greter", which is not in packages\.set/);
  t.regex(r.stderr, /did you mean "greeter"\?/);
  const missing = await project(t, `packages: { set: { gone: { path: "./pkgs/gone" } }, install: ["gone"] }`);
  const m = await exo(["build", "--dry-run", "--no-sign", missing], { cwd: join(missing, "..") });
  t.is(m.code, 1);
  t.regex(m.stderr, /packages\.set\.gone\.path: package .*pkgs\/gone does not exist/);
  t.notRegex(m.stderr + r.stderr, /\n\s+at /, "no stack trace");
});

test("two attributes that are one package and version, and a sandbox the kernel cannot grant, are refused", async (t) => {
  const twin = await project(t, `packages: { set: { ${greeterSet}, again: { path: "./pkgs/greeter" } }, install: ["greeter"] }`);
  await t.throwsAsync(packagesOf(twin), { message: "packages.set.again and packages.set.greeter are both greeter@2.0.0" });
  const noIpc = await project(t, `kernel: { ipc: { enable: false } }, packages: { set: { ${greeterSet.replace('greeter: { path: "./pkgs/greeter" }', 'greeter: { path: "./pkgs/greeter", sandbox: mkForce({ capabilities: ["ipc"] }) }')} }, install: ["greeter"] }`);
  const r = await exo(["build", "--dry-run", "--no-sign", noIpc], { cwd: join(noIpc, "..") });
  t.is(r.code, 1);
  t.regex(r.stderr, /greeter@2\.0\.0 needs the "ipc" capability \(its sandbox\), but kernel\.ipc\.enable is false/);
});
