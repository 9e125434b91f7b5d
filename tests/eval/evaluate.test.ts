// The module system: each rule checked with one small profile.
import test from "ava";
import { evaluateProfile } from "../../generator/eval/index.ts";
import { ExoError } from "../../generator/errors.ts";
import { fixture, profile } from "../helpers/exo.ts";

async function evalError(file: string): Promise<ExoError> {
  const error = await evaluateProfile(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ExoError)) throw new Error(`expected an ExoError from ${file}, got ${String(error)}`);
  return error;
}

test("the server profile evaluates to its own values over the defaults", async (t) => {
  const { config, hash } = await evaluateProfile(profile("server.ts"));
  t.is(config.system.name, "server");
  t.is(config.kernel.ipc.ringSlots, 4096);
  t.is(config.kernel.scheduler.policy, "predictive");
  t.is(config.kernel.ipc.spinIterations, 1000, "an option the profile leaves alone keeps its default");
  t.regex(hash, /^[0-9a-f]{64}$/);
  t.true(Object.isFrozen(config.kernel.ipc));
});

test("evaluation is deterministic: the same profile gives the same hash", async (t) => {
  const a = await evaluateProfile(profile("server.ts"));
  const b = await evaluateProfile(profile("server.ts"));
  t.is(a.hash, b.hash);
});

test("different values give different config hashes", async (t) => {
  const server = await evaluateProfile(profile("server.ts"));
  const smaller = await evaluateProfile(fixture("ring-1024.ts"));
  t.is(smaller.config.kernel.ipc.ringSlots, 1024);
  t.not(server.hash, smaller.hash);
});

test("a YAML profile imports a TypeScript one and overrides it with !force", async (t) => {
  const { config, options } = await evaluateProfile(profile("edge.yaml"));
  t.is(config.system.name, "edge");
  t.is(config.kernel.ipc.ringSlots, 1024);
  t.is(config.kernel.scheduler.policy, "predictive", "inherited from server.ts");
  const defs = options.get("system.name")!.definitions.map((d) => `${d.file}:${d.line}`);
  t.deepEqual(defs, ["profiles/server.ts:7", "profiles/edge.yaml:7"]);
});

test("mkDefault loses to a plain definition, mkForce wins, lists concatenate", async (t) => {
  const { config } = await evaluateProfile(fixture("priorities.ts"));
  t.is(config.system.name, "forced");
  t.is(config.kernel.ipc.ringSlots, 256);
  t.deepEqual([...config.kernel.syscalls.cold].sort(), ["kill", "spawn"]);
});

test("an undeclared option is named, with its file and a suggestion", async (t) => {
  const e = await evalError(fixture("unknown-option.ts"));
  t.is(e.code, "ERR_EXO_OPTION_UNKNOWN");
  t.regex(e.message, /tests\/fixtures\/unknown-option\.ts:\d+: option `kernel\.ipc\.ringSlot` does not exist/);
  t.regex(e.hint ?? "", /did you mean `kernel\.ipc\.ringSlots`/);
});

test("a wrong value names the option, the file, what was expected and what it got", async (t) => {
  const e = await evalError(fixture("wrong-type.ts"));
  t.is(e.code, "ERR_EXO_OPTION_TYPE");
  t.regex(e.message, /option `kernel\.ipc\.ringSlots`/);
  t.regex(e.message, /tests\/fixtures\/wrong-type\.ts:\d+/);
  t.regex(e.message, /power of two/);
  t.regex(e.message, /got 1000/);
});

test("a wrong value in YAML points at its line", async (t) => {
  const e = await evalError(fixture("wrong-type.yaml"));
  t.is(e.code, "ERR_EXO_OPTION_TYPE");
  t.regex(e.message, /kernel\.scheduler\.emaAlpha.*tests\/fixtures\/wrong-type\.yaml:5/s);
});

test("conflicting definitions list every file and value", async (t) => {
  const e = await evalError(fixture("conflict.ts"));
  t.is(e.code, "ERR_EXO_OPTION_CONFLICT");
  t.regex(e.message, /conflict-base\.ts:\d+: "alpha"/);
  t.regex(e.message, /conflict\.ts:\d+: "beta"/);
  t.regex(e.hint ?? "", /mkForce/);
});

test("an import cycle is reported file by file", async (t) => {
  const e = await evalError(fixture("cycle-a.yaml"));
  t.is(e.code, "ERR_EXO_IMPORT_CYCLE");
  t.regex(e.message, /cycle-a\.yaml -> tests\/fixtures\/cycle-b\.yaml -> tests\/fixtures\/cycle-a\.yaml/);
});

test("a missing import names the importing file and the path", async (t) => {
  const e = await evalError(fixture("missing-import.yaml"));
  t.is(e.code, "ERR_EXO_PROFILE_NOT_FOUND");
  t.regex(e.message, /missing-import\.yaml: imported file \.\/does-not-exist\.ts does not exist/);
});

test("mkIf with a function condition reads the final config", async (t) => {
  const on = await evaluateProfile(fixture("lazy-if.ts"));
  t.true(on.config.kernel.ipc.enable, "a lazy value computed from system.arch");
  t.true(on.config.packages.install.includes("echo-server"));
  const off = await evaluateProfile(fixture("lazy-if-off.ts"));
  t.false(off.config.packages.install.includes("echo-server"));
  const site = off.options.get("packages.install")!.definitions.find((d) => d.file.endsWith("lazy-if-off.ts"))!;
  t.false(site.active, "the definition under a false mkIf is kept, marked inactive");
});

test("a module's config may be a function of the final config", async (t) => {
  const { config } = await evaluateProfile(fixture("config-function.ts"));
  t.is(config.kernel.ipc.batchSize, 16);
});

test("a value that depends on itself is reported as the chain of options", async (t) => {
  const e = await evalError(fixture("self-dependency.ts"));
  t.is(e.code, "ERR_EXO_OPTION_RECURSION");
  t.regex(e.message, /`kernel\.ipc\.batchSize` \(read by tests\/fixtures\/self-dependency\.ts:\d+\)\n\s+→ `kernel\.ipc\.spinIterations` \(read by tests\/fixtures\/self-dependency\.ts:\d+\)\n\s+→ `kernel\.ipc\.batchSize`/);
  t.notRegex(e.message, /infinite recursion/i);
});

test("a config function reading the option it defines is reported, not looped on", async (t) => {
  const e = await evalError(fixture("self-dependency-module.ts"));
  t.is(e.code, "ERR_EXO_OPTION_RECURSION");
  t.regex(e.message, /`kernel\.ipc\.batchSize` depends on itself: module tests\/fixtures\/self-dependency-module\.ts:\d+ reads it/);
});

test("a failing assertion stops evaluation with its message, naming the options", async (t) => {
  const e = await evalError(fixture("assertion.ts"));
  t.is(e.code, "ERR_EXO_ASSERTION");
  // Before: only "(modules/packages.ts:14)", Exo's own module. Now the user's definitions first, and a hint.
  t.regex(e.message, /packages\.install holds "ring-bench", which needs "echo-server" too: it measures round trips through it \(defined at .*tests\/fixtures\/assertion\.ts:\d+.*; asserted by modules\/packages\.ts:\d+\)/);
  t.is(e.hint, 'add "echo-server" to packages.install');
});

test("YAML !force on a list replaces the imported list; !default on a mapping yields to other definitions", async (t) => {
  const { config } = await evaluateProfile(fixture("force-list.yaml"));
  t.deepEqual(config.packages.install, ["hello"]);
  t.is(config.system.name, "server", "the server profile's plain definition wins over !default");
});

test("scheduler thresholds out of order fail the assertion naming both options", async (t) => {
  const e = await evalError(fixture("thresholds.yaml"));
  t.is(e.code, "ERR_EXO_ASSERTION");
  t.regex(e.message, /kernel\.scheduler\.hotThresholdUs \(3000\) must be below kernel\.scheduler\.normalThresholdUs \(1000\)/);
  t.regex(e.message, /defined at tests\/fixtures\/thresholds\.yaml:\d+/);
});

test("an invalid default names the option and where it was declared", async (t) => {
  const e = await evalError(fixture("invalid-default.ts"));
  t.is(e.code, "ERR_EXO_OPTION_TYPE");
  t.regex(e.message, /the default of option `extra\.threshold` is invalid \(its default, declared in tests\/fixtures\/invalid-default\.ts:\d+\)/);
});

test("mkBefore and mkAfter order list elements across modules", async (t) => {
  const { config } = await evaluateProfile(fixture("list-order.ts"));
  t.deepEqual(config.packages.install, ["init", "echo-server", "hello"]);
});

test("maps of records merge per key and deeply, lists inside concatenating", async (t) => {
  const { config } = await evaluateProfile(fixture("record-merge.ts"));
  t.deepEqual([...config.sandbox.policies.web!.capabilities].sort(), ["console", "fs.write"]);
  t.is(config.sandbox.policies.web!.memoryPages, 64);
  t.deepEqual(config.sandbox.policies.db!.capabilities, ["fs.read"]);
  t.is(config.sandbox.policies.db!.memoryPages, 256, "the record type's own default fills what no one set");
  t.truthy(config.sandbox.policies.init, "the base modules' policy is still there");
});

test("a conflict inside a record names the key inside the option", async (t) => {
  const e = await evalError(fixture("record-conflict.ts"));
  t.is(e.code, "ERR_EXO_OPTION_CONFLICT");
  t.regex(e.message, /option `sandbox\.policies\.web\.memoryPages` is defined multiple times/);
  t.regex(e.message, /record-conflict\.ts:\d+: 64/);
  t.regex(e.message, /record-conflict\.ts:\d+: 128/);
});
