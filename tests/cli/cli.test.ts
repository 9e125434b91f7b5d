// The command line as a user meets it: help, version, and errors without stack traces.
import test from "ava";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { exo, fixture, profile, REPO } from "../helpers/exo.ts";

const STACK_LINE = /^\s+at /m;

test("--version prints the package version", async (t) => {
  const { version } = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string };
  const r = await exo(["--version"]);
  t.is(r.code, 0);
  t.is(r.stdout.trim(), `exo ${version}`);
});

for (const command of ["eval", "build", "run", "keygen", "verify"]) {
  test(`exo ${command} --help describes the command`, async (t) => {
    const r = await exo([command, "--help"]);
    t.is(r.code, 0);
    t.true(r.stdout.startsWith(`usage: exo ${command}`), r.stdout);
    t.regex(r.stdout, /--help/);
  });
}

test("an unknown command exits 1 and names the near one", async (t) => {
  const r = await exo(["bulid"]);
  t.is(r.code, 1);
  t.regex(r.stderr, /unknown command 'bulid'/);
  t.regex(r.stderr, /build/);
});

test("an unknown option is a usage error naming it", async (t) => {
  const r = await exo(["eval", profile("server.ts"), "--jsn"]);
  t.is(r.code, 1);
  t.regex(r.stderr, /--jsn/);
  t.notRegex(r.stderr, STACK_LINE);
});

test("a missing profile exits 1 with a clear error and no stack trace", async (t) => {
  const r = await exo(["eval", "profiles/nope.ts"]);
  t.is(r.code, 1);
  t.regex(r.stderr, /^error\[ERR_EXO_PROFILE_NOT_FOUND\]: profile profiles\/nope\.ts does not exist/);
  t.notRegex(r.stderr, STACK_LINE);
});

test("an option error exits 1 naming option and file; --show-trace adds the stack", async (t) => {
  const r = await exo(["eval", fixture("wrong-type.ts")]);
  t.is(r.code, 1);
  t.regex(r.stderr, /option `kernel\.ipc\.ringSlots`.*tests\/fixtures\/wrong-type\.ts/);
  t.notRegex(r.stderr, STACK_LINE);
  const traced = await exo(["eval", fixture("wrong-type.ts"), "--show-trace"]);
  t.is(traced.code, 1);
  t.regex(traced.stderr, STACK_LINE);
});

test("eval --json follows the exo.eval/v1 schema", async (t) => {
  const r = await exo(["eval", profile("server.ts"), "--json"]);
  t.is(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { schema: string; profile: string; configHash: string; value: { system: { name: string } } };
  t.is(doc.schema, "exo.eval/v1");
  t.is(doc.profile, "profiles/server.ts");
  t.regex(doc.configHash, /^[0-9a-f]{64}$/);
  t.is(doc.value.system.name, "server");
});

test("eval OPTION.PATH prints one option's value", async (t) => {
  const r = await exo(["eval", profile("edge.yaml"), "kernel.ipc.ringSlots"]);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.trim(), "1024");
});
