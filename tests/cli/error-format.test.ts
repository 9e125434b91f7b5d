// Every error carries its code (issue 13): `error[ERR_EXO_...]:` on stderr,
// an exo.error/v1 object on stdout under --json, the line and column of a
// YAML syntax error, the file:line where a TypeScript profile threw, and
// `internal error:` with causes and stack (exit 2) for a bug in exo.
import test from "ava";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExoError } from "../../generator/errors.ts";
import { describeError } from "../../generator/cli/report-error.ts";
import { exo, fixture, REPO } from "../helpers/exo.ts";

const STACK_LINE = /^\s+at /m;
const API = JSON.stringify(join(REPO, "generator/api.ts"));

/** A folder of ESM TypeScript and YAML profiles, with no exo.config.ts. */
async function profileDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "exo-errfmt-"));
  await writeFile(join(dir, "package.json"), `{ "type": "module", "private": true }\n`);
  return dir;
}

test("a usage error carries ERR_EXO_USAGE in its text", async (t) => {
  const r = await exo(["eval", fixture("bundle-only.ts"), "--nope"]);
  t.is(r.code, 1, r.stderr);
  t.regex(r.stderr, /^error\[ERR_EXO_USAGE\]: exo eval: unknown option --nope; .*\nhint: usage: exo eval /);
  t.is(r.stdout, "");
  const unknown = await exo(["evl"]);
  t.is(unknown.code, 1);
  t.is(unknown.stderr, "error[ERR_EXO_USAGE]: unknown command 'evl'\nhint: did you mean `exo eval`?\n");
});

test("an option error carries its code in its text, and no stack", async (t) => {
  const r = await exo(["eval", fixture("wrong-type.ts")]);
  t.is(r.code, 1, r.stderr);
  t.regex(r.stderr, /^error\[ERR_EXO_OPTION_TYPE\]: .*option `kernel\.ipc\.ringSlots`/);
  t.notRegex(r.stderr, STACK_LINE);
});

test("--json: an error is also one exo.error/v1 object on stdout, and nothing else", async (t) => {
  const r = await exo(["eval", fixture("wrong-type.ts"), "--json"]);
  t.is(r.code, 1, r.stderr);
  t.regex(r.stderr, /^error\[ERR_EXO_OPTION_TYPE\]: /);
  t.is(r.stdout.split("\n").filter(Boolean).length, 1, r.stdout);
  const doc = JSON.parse(r.stdout) as Record<string, unknown>;
  t.deepEqual(Object.keys(doc), ["schema", "code", "message", "hint", "exit", "errors", "omitted"]);
  t.deepEqual(doc.errors, [{ code: doc.code, message: doc.message, hint: doc.hint }], "one error: `errors` holds just it");
  t.is(doc.schema, "exo.error/v1");
  t.is(doc.code, "ERR_EXO_OPTION_TYPE");
  t.is(doc.exit, 1);
  // The same message and hint as the text on stderr.
  t.true(r.stderr.startsWith(`error[ERR_EXO_OPTION_TYPE]: ${doc.message as string}\n`), r.stderr);
  t.true(doc.hint === null ? !/^hint: /m.test(r.stderr) : r.stderr.includes(`\nhint: ${doc.hint as string}\n`), r.stderr);

  // A usage error too, and an unknown command; without a hint, `hint` is null.
  const usage = JSON.parse((await exo(["build", "x.ts", "--bogus", "--json"])).stdout) as Record<string, unknown>;
  t.like(usage, { schema: "exo.error/v1", code: "ERR_EXO_USAGE", exit: 1 });
  t.regex(usage.message as string, /unknown option --bogus/);
  const command = JSON.parse((await exo(["nonesuch", "--json"])).stdout) as Record<string, unknown>;
  t.like(command, { schema: "exo.error/v1", code: "ERR_EXO_USAGE", message: "unknown command 'nonesuch'", hint: "`exo --help` lists the commands", exit: 1, omitted: 0 });
  const bare = await exo(["eval", fixture("wrong-type.ts")]);
  t.is(bare.stdout, "", "without --json, stdout stays empty");
});

test("a YAML syntax error names the file, line and column of the problem", async (t) => {
  const dir = await profileDir();
  // Line 3, column 9: a plain value cannot start with `@`.
  await writeFile(join(dir, "bad.yaml"), "system:\n  name: edge\nkernel: @ipc\n");
  const r = await exo(["eval", "bad.yaml"], { cwd: dir });
  t.is(r.code, 1, r.stderr);
  t.regex(r.stderr, /^error\[ERR_EXO_PROFILE_INVALID\]: bad\.yaml:3:9: YAML syntax error: Plain value cannot start with reserved character @\nhint: /);
  // Line 5, column 16: the second `:` makes a mapping inside a compact one.
  await writeFile(join(dir, "nested.yaml"), "system:\n  name: edge\nkernel:\n  ipc:\n    ringSlots: 1024: 2\n");
  const nested = await exo(["eval", "nested.yaml", "--json"], { cwd: dir });
  t.is(nested.code, 1, nested.stderr);
  const doc = JSON.parse(nested.stdout) as { code: string; message: string };
  t.is(doc.code, "ERR_EXO_PROFILE_INVALID");
  t.regex(doc.message, /^nested\.yaml:5:16: YAML syntax error: /);
  t.notRegex(nested.stderr, STACK_LINE);
});

test("a TypeScript profile that throws while it loads is a user error naming its file:line", async (t) => {
  const dir = await profileDir();
  await writeFile(join(dir, "throws.ts"), `import { defineProfile } from ${API};\n\nconst ready = false;\nif (!ready) throw new Error("boom");\n\nexport default defineProfile({ config: {} });\n`);
  const r = await exo(["eval", "throws.ts"], { cwd: dir });
  t.is(r.code, 1, r.stderr);
  t.regex(r.stderr, /^error\[ERR_EXO_PROFILE_INVALID\]: throws\.ts:4: profile throws\.ts could not be loaded: boom\nhint: /);
  t.notRegex(r.stderr, STACK_LINE);
  t.notRegex(r.stderr, /internal error/);

  // Thrown from a file it imports: that file's line, under the profile's name; the class is kept.
  await writeFile(join(dir, "helper.ts"), `// a helper\nexport function check(): void {\n  throw new TypeError("no network here");\n}\ncheck();\n`);
  await writeFile(join(dir, "imports.ts"), `import { defineProfile } from ${API};\nimport "./helper.ts";\n\nexport default defineProfile({ config: {} });\n`);
  const imported = await exo(["eval", "imports.ts"], { cwd: dir });
  t.is(imported.code, 1, imported.stderr);
  t.regex(imported.stderr, /^error\[ERR_EXO_PROFILE_INVALID\]: helper\.ts:3: profile imports\.ts could not be loaded: TypeError: no network here\n/);

  // --show-trace: the profile's own stack, as the cause.
  const traced = await exo(["eval", "throws.ts", "--show-trace"], { cwd: dir });
  t.is(traced.code, 1);
  t.regex(traced.stderr, /^caused by: Error: boom\n\s+at .*throws\.ts:4:/m);
});

test("a TypeScript syntax error names the file, line and column", async (t) => {
  const dir = await profileDir();
  await writeFile(join(dir, "syntax.ts"), `import { defineProfile } from ${API};\n\nconst x = ;\nexport default defineProfile({ config: {} });\n`);
  const r = await exo(["eval", "syntax.ts"], { cwd: dir });
  t.is(r.code, 1, r.stderr);
  t.regex(r.stderr, /^error\[ERR_EXO_PROFILE_INVALID\]: syntax\.ts:3:10: TypeScript syntax error: /);
  t.notRegex(r.stderr, STACK_LINE);
});

// An internal fault cannot be caused from outside on purpose (that would be a
// bug to fix), so its report is checked on the function the CLI calls.
test("an internal fault: `internal error:`, its causes, the stack, exit 2", (t) => {
  const root = new RangeError("offset out of range");
  const fault = new Error("could not write the plan", { cause: new Error("while writing", { cause: root }) });
  const report = describeError(fault);
  t.is(report.exit, 2);
  const lines = report.text.split("\n");
  t.is(lines[0], "internal error: could not write the plan");
  t.is(lines[1], "caused by: while writing");
  t.is(lines[2], "caused by: RangeError: offset out of range");
  t.regex(lines[3]!, /^hint: this is a bug in exo/);
  t.is(lines[4], "Error: could not write the plan");
  t.regex(report.text, STACK_LINE);
  t.regex(report.text, /^caused by: RangeError: offset out of range\n\s+at /m);
  const only = { code: "ERR_EXO_INTERNAL", message: "could not write the plan", hint: report.json.hint };
  t.deepEqual(report.json, { schema: "exo.error/v1", ...only, exit: 2, errors: [only], omitted: 0 });
  t.regex(report.json.hint ?? "", /bug in exo/);

  // A cause cycle ends; a thrown non-error is still reported.
  const a = new Error("a");
  const b = new Error("b", { cause: a });
  (a as { cause?: unknown }).cause = b;
  t.deepEqual(describeError(a).text.split("\n").filter((l) => l.startsWith("caused by: ")), ["caused by: b", "caused by: Error: b"], "b once as a message, once as a stack");
  t.regex(describeError("a string").text, /^internal error: a string\n/);

  // A user error: the code in brackets, the hint, no stack unless asked.
  const user = describeError(new ExoError("ERR_EXO_OPTION_TYPE", "x.ts:3: option `a` is wrong", "fix it"));
  t.is(user.text, "error[ERR_EXO_OPTION_TYPE]: x.ts:3: option `a` is wrong\nhint: fix it\n");
  t.is(user.exit, 1);
  t.regex(describeError(new ExoError("ERR_EXO_USAGE", "bad"), { showTrace: true }).text, /^error\[ERR_EXO_USAGE\]: bad\nExoError: bad\n\s+at /);
  // A file the machine refused is the user's to fix, with a code of its own.
  const full = Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC", path: "/nowhere/x" });
  t.like(describeError(full).json, { code: "ERR_EXO_FILE_SYSTEM", message: "no space left to write /nowhere/x", exit: 1 });
});

test("a .ts profile in a folder that is not an ES module package says how to make it one", async (t) => {
  // mkdtemp under the system's temp folder: no package.json above it says "type": "module".
  const dir = await mkdtemp(join(tmpdir(), "exo-cjs-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const text = `import { defineProfile } from ${API};\nexport default defineProfile({ config: { system: { name: "plain" } } });\n`;
  await writeFile(join(dir, "plain.ts"), text);
  const r = await exo(["eval", "plain.ts", "system.name"], { cwd: dir });
  t.is(r.code, 1, r.stderr);
  t.regex(r.stderr, /^error\[ERR_EXO_PROFILE_INVALID\]: profile plain\.ts is loaded as a CommonJS module, which cannot import exo's API: no package\.json above it says "type": "module"\nhint: name it plain\.mts, or put a package\.json/);
  t.notRegex(r.stderr, /require\(\)/, "not Node's words");
  // Either way out works.
  await writeFile(join(dir, "plain.mts"), text);
  t.is((await exo(["eval", "plain.mts", "system.name"], { cwd: dir })).stdout.trim(), '"plain"');
});
