// A profile with several independent mistakes gets them all in one run, as
// a compiler reports them, up to a limit; each keeps its code, file:line
// and hint.
import test from "ava";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evaluateProfile } from "../../generator/eval/index.ts";
import { ExoError, ExoErrors, MAX_REPORTED_ERRORS } from "../../generator/errors.ts";
import { exo, profile } from "../helpers/exo.ts";

const FOUR_MISTAKES = `imports: [${JSON.stringify(profile("minimal.ts"))}]
kernel:
  ipc:
    ringSlot: 12
  scheduler:
    alpha: "x"
packages:
  install: [Hello]
sandbox:
  policies:
    web:
      memoryPage: 3
`;

async function write(t: { teardown(fn: () => Promise<void>): void }, name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "exo-errors-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, name), text);
  return join(dir, name);
}

test("independent mistakes in one profile are reported together, in order, each with its line", async (t) => {
  const file = await write(t, "four.yaml", FOUR_MISTAKES);
  const error = await evaluateProfile(file).catch((e: unknown) => e);
  t.true(error instanceof ExoErrors, String(error));
  const errors = (error as ExoErrors).errors;
  t.deepEqual(
    errors.map((e) => [e.code, /four\.yaml:(\d+)/.exec(e.message)?.[1]]),
    [
      ["ERR_EXO_OPTION_UNKNOWN", "4"],
      ["ERR_EXO_OPTION_UNKNOWN", "6"],
      ["ERR_EXO_OPTION_TYPE", "8"],
      ["ERR_EXO_OPTION_UNKNOWN", "12"],
    ],
  );
  t.regex(errors[3]!.message, /`sandbox\.policies\.web\.memoryPage` does not exist/, "inside a submodule element too");
  t.is((error as ExoErrors).omitted, 0);
});

test("one mistake is one error, as before", async (t) => {
  const file = await write(t, "one.yaml", `imports: [${JSON.stringify(profile("minimal.ts"))}]\nkernel:\n  ipc:\n    ringSlot: 12\n`);
  const error = await evaluateProfile(file).catch((e: unknown) => e);
  t.true(error instanceof ExoError && !(error instanceof ExoErrors), String(error));
});

test("beyond the limit, the first errors are shown and the rest counted", async (t) => {
  const names = Array.from({ length: MAX_REPORTED_ERRORS + 2 }, (_, i) => `  nope${i}: 1`).join("\n");
  const file = await write(t, "many.yaml", `imports: [${JSON.stringify(profile("minimal.ts"))}]\nkernel:\n${names}\n`);
  const error = (await evaluateProfile(file).catch((e: unknown) => e)) as ExoErrors;
  t.is(error.errors.length, MAX_REPORTED_ERRORS);
  t.is(error.omitted, 2);
  const r = await exo(["eval", file]);
  t.is(r.code, 1);
  t.is(r.stderr.match(/^error\[ERR_EXO_OPTION_UNKNOWN\]: /gm)?.length, MAX_REPORTED_ERRORS);
  t.regex(r.stderr, new RegExp(`^${MAX_REPORTED_ERRORS + 2} errors \\(the first ${MAX_REPORTED_ERRORS} shown\\); fix them and run the command again$`, "m"));
});

test("the CLI prints each error as its own block, and --json lists them all", async (t) => {
  const file = await write(t, "four.yaml", FOUR_MISTAKES);
  const r = await exo(["eval", file, "--json"]);
  t.is(r.code, 1);
  t.is(r.stderr.match(/^error\[ERR_EXO_[A-Z_]+\]: .*four\.yaml:\d+/gm)?.length, 4, r.stderr);
  t.regex(r.stderr, /^hint: did you mean `kernel\.scheduler\.emaAlpha`\?$/m);
  t.regex(r.stderr, /^4 errors; fix them and run the command again$/m);
  const json = JSON.parse(r.stdout) as { code: string; errors: { code: string; message: string; hint: string | null }[]; omitted: number };
  t.is(json.code, "ERR_EXO_OPTION_UNKNOWN");
  t.deepEqual(json.errors.map((e) => e.code), ["ERR_EXO_OPTION_UNKNOWN", "ERR_EXO_OPTION_UNKNOWN", "ERR_EXO_OPTION_TYPE", "ERR_EXO_OPTION_UNKNOWN"]);
  t.regex(json.errors[2]!.message, /a lower-case package name/);
  t.is(json.omitted, 0);
});
