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
  t.deepEqual(defs, ["profiles/server.ts:5", "profiles/edge.yaml:7"]);
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
