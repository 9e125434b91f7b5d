// Limits on what evaluation reads and how long it runs: an oversize profile,
// a YAML "billion laughs" and a profile that loops forever each end in exit
// 1 with an error naming the file and a hint, within a bounded time; never
// an internal error, a hang or an exhausted machine.
import test, { type ExecutionContext } from "ava";
import { mkdtemp, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { EVAL_TIMEOUT_DEFAULT_SECONDS, PROFILE_MAX_BYTES, YAML_MAX_ALIAS_COUNT } from "../../generator/eval/limits.ts";
import { exo, type ExoRun, REPO, tempProject } from "../helpers/exo.ts";

const API = JSON.stringify(pathToFileURL(join(REPO, "generator/api.ts")).href);

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "exo-limits-"));
  await writeFile(join(dir, "package.json"), `{ "type": "module", "private": true }\n`);
  return dir;
}

/** `exo ARGS` in dir, with its wall time. */
async function timed(args: string[], dir: string, env: NodeJS.ProcessEnv = {}): Promise<ExoRun & { seconds: number }> {
  const start = performance.now();
  const r = await exo(args, { cwd: dir, env, timeoutMs: 60_000 });
  return { ...r, seconds: (performance.now() - start) / 1000 };
}

/** Exit 1, an `error:` line naming `file` and matching `what`, a hint; no internal error. */
function refused(t: ExecutionContext, r: ExoRun, file: string, what: RegExp, label = file): void {
  t.is(r.code, 1, `${label}: exit ${r.code}\n${r.stderr}`);
  t.notRegex(r.stderr, /internal error/, label);
  const error = /^error\[ERR_EXO_[A-Z_]+\]: (.*)$/m.exec(r.stderr)?.[1] ?? "";
  t.true(error.includes(file), `${label}: the error names the file: ${error}`);
  t.regex(error, what, label);
  t.regex(r.stderr, /^hint: \S/m, label);
}

test("the limits are named constants with sane values", (t) => {
  t.is(PROFILE_MAX_BYTES, 4 * 1024 * 1024);
  t.true(YAML_MAX_ALIAS_COUNT >= 10 && YAML_MAX_ALIAS_COUNT <= 10_000);
  t.is(EVAL_TIMEOUT_DEFAULT_SECONDS, 60);
});

test("a profile or imported module larger than the limit is refused before it is read", async (t) => {
  const dir = await tempDir();
  // Sparse files: the size is what stat reports, so the check costs no 4 MiB of writing.
  for (const name of ["big.ts", "big.yaml", "huge.yaml"]) await writeFile(join(dir, name), "# padding\n");
  await truncate(join(dir, "big.ts"), PROFILE_MAX_BYTES + 1);
  await truncate(join(dir, "big.yaml"), PROFILE_MAX_BYTES + 1);
  await truncate(join(dir, "huge.yaml"), 64 * PROFILE_MAX_BYTES);
  await writeFile(join(dir, "imports-big.yaml"), "imports: [./big.yaml]\n");
  await writeFile(join(dir, "at-limit.yaml"), "# at the limit exactly\n".padEnd(PROFILE_MAX_BYTES - 1, " ") + "\n");
  // [profile given, file the error must name]
  const cases = [["big.ts", "big.ts"], ["big.yaml", "big.yaml"], ["huge.yaml", "huge.yaml"], ["imports-big.yaml", "big.yaml"]] as const;
  await Promise.all(
    cases.map(async ([profile, file]) => {
      const r = await timed(["eval", profile], dir);
      refused(t, r, file, /more than the limit of 4 MiB/, profile);
      t.true(r.seconds < 30, `${profile}: ${r.seconds} s`);
    }),
  );
  const atLimit = await timed(["eval", "at-limit.yaml"], dir);
  t.is(atLimit.code, 0, `a file of exactly the limit is accepted: ${atLimit.stderr}`);
});

test("a profile that is not a regular file is refused, not read forever", async (t) => {
  const dir = await tempDir();
  const r = await timed(["eval", "/dev/zero"], dir);
  t.is(r.code, 1, r.stderr);
  t.regex(r.stderr, /^error\[ERR_EXO_PROFILE_INVALID\]: profile \/dev\/zero is not a regular file$/m);
});

/** A "billion laughs": nine levels of nine aliases each, 9^9 strings once expanded. */
function laughs(tagged: boolean): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  const names = "abcdefghi";
  for (let i = 1; i < names.length; i++) lines.push(`${names[i]}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(",")}]`);
  if (tagged) lines.push(`kernel: !force [${Array(9).fill("*i").join(",")}]`);
  return `${lines.join("\n")}\n`;
}

test("a YAML billion laughs ends at once with exit 1, even inside !force", async (t) => {
  const dir = await tempDir();
  await writeFile(join(dir, "laughs.yaml"), laughs(false));
  await writeFile(join(dir, "laughs-force.yaml"), laughs(true));
  for (const file of ["laughs.yaml", "laughs-force.yaml"]) {
    const r = await timed(["eval", file], dir);
    refused(t, r, file, new RegExp(`aliases .* more than the limit of ${YAML_MAX_ALIAS_COUNT}`));
    t.true(r.seconds < 30, `${file}: ${r.seconds} s`);
  }
});

test("aliases within the limit still resolve, inside !force too", async (t) => {
  const dir = await tempDir();
  // "spawn" is both a syscall and a capability: one anchor serves both lists.
  await writeFile(join(dir, "aliases.yaml"), "kernel:\n  syscalls:\n    cold: &cold [spawn]\nsandbox:\n  policies: !force\n    init:\n      capabilities: *cold\n");
  const r = await timed(["eval", "aliases.yaml", "sandbox.policies.init.capabilities"], dir);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(JSON.parse(r.stdout), ["spawn"]);
});

const loops = {
  "top-level": `while (true) {}\nexport default defineProfile({ config: {} });\n`,
  "config function": `export default defineProfile({ config: () => { for (;;) {} } });\n`,
  "mkIf condition": `export default defineProfile({ config: { kernel: mkIf(() => { while (true) {} }, { debugExit: false }) } });\n`,
};

for (const [where, body] of Object.entries(loops)) {
  test(`a TypeScript profile looping forever (${where}) is stopped by --eval-timeout and EXO_EVAL_TIMEOUT`, async (t) => {
    const dir = await tempDir();
    const file = `loop-${where.replace(/\W/g, "-")}.ts`;
    await writeFile(join(dir, file), `import { defineProfile, mkIf } from ${API};\nvoid mkIf;\n${body}`);
    const byFlag = await timed(["eval", file, "--eval-timeout", "2"], dir);
    const byEnv = await timed(["explain", file, "kernel.debugExit"], dir, { EXO_EVAL_TIMEOUT: "2" });
    for (const [r, how] of [[byFlag, "--eval-timeout 2"], [byEnv, "EXO_EVAL_TIMEOUT=2"]] as const) {
      refused(t, r, file, /took longer than the limit of 2 s/, how);
      t.regex(r.stderr, /^hint: .*--eval-timeout SECONDS or EXO_EVAL_TIMEOUT/m, how);
      t.true(r.seconds >= 2 && r.seconds < 30, `${how}: stopped after ${r.seconds} s`);
      t.notRegex(r.stderr, /Waiting for the debugger/, how);
    }
  });
}

test("the commands that build take --eval-timeout too, and a bad value is a usage error", async (t) => {
  const dir = await tempProject(); // run and switch need its keys
  await writeFile(join(dir, "loop.ts"), `import { defineProfile } from ${API};\nexport default defineProfile({ config: () => { for (;;) {} } });\n`);
  for (const command of [["build", "--no-link", "--no-sign"], ["run"], ["switch"]]) {
    const r = await timed([command[0]!, "loop.ts", ...command.slice(1), "--eval-timeout", "1.5"], dir);
    refused(t, r, "loop.ts", /took longer than the limit of 1\.5 s/, `exo ${command[0]}`);
  }
  for (const bad of ["0", "-1", "soon"]) {
    const r = await timed(["eval", "loop.ts", `--eval-timeout=${bad}`], dir);
    t.is(r.code, 1, r.stderr);
    t.regex(r.stderr, new RegExp(`^error\\[ERR_EXO_USAGE\\]: option --eval-timeout expects a number of seconds above 0, got '${bad}'$`, "m"));
  }
  const env = await timed(["eval", "loop.ts"], dir, { EXO_EVAL_TIMEOUT: "never" });
  t.regex(env.stderr, /^error\[ERR_EXO_USAGE\]: EXO_EVAL_TIMEOUT expects a number of seconds above 0, got 'never'$/m);
});

test("a profile that awaits forever with nothing left to run ends with exit 1 and a message", async (t) => {
  const dir = await tempDir();
  await writeFile(join(dir, "await.ts"), `import { defineProfile } from ${API};\nawait new Promise(() => {});\nexport default defineProfile({ config: {} });\n`);
  const r = await timed(["eval", "await.ts"], dir);
  refused(t, r, "await.ts", /never finished/);
  t.regex(r.stderr, /^error\[ERR_EXO_EVAL_TIMEOUT\]: /m);
  const json = await timed(["eval", "await.ts", "--json"], dir);
  t.is(json.code, 1);
  t.like(JSON.parse(json.stdout) as object, { schema: "exo.error/v1", code: "ERR_EXO_EVAL_TIMEOUT", exit: 1 });
});

test("a profile within every limit evaluates as before", async (t) => {
  const dir = await tempDir();
  await writeFile(join(dir, "fine.ts"), `import { defineProfile } from ${API};\nexport default defineProfile({ config: { kernel: { ipc: { ringSlots: 1024 } } } });\n`);
  const r = await timed(["eval", "fine.ts", "kernel.ipc.ringSlots", "--eval-timeout", "30"], dir);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.trim(), "1024");
});
