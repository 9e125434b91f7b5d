// Typed custom options (issue 13): a module that declares options gives
// their types to the modules and profiles that import it. Checked with the
// project's own tsc on the fixtures of tests/fixtures/typed/ and on profiles
// written here (wrong ones cannot live in the repository: `tsc -p .` checks
// every file of tests/), then evaluated with the real evaluator.
import test from "ava";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evaluateProfile } from "../../generator/eval/index.ts";
import { REPO } from "../helpers/exo.ts";

const FIXTURES = join(REPO, "tests/fixtures/typed");
const TSC = join(REPO, "node_modules/.bin/tsc");
const API = JSON.stringify(join(REPO, "generator/api.ts"));
const MYAPP = JSON.stringify(join(FIXTURES, "myapp.ts"));

interface Check {
  readonly code: number;
  /** tsc's diagnostics, paths relative to the temporary directory. */
  readonly output: string;
  /** Source of the files written to the temporary directory, by name. */
  readonly sources: Readonly<Record<string, string>>;
}

/**
 * Run tsc with the project's compiler options on `files` (absolute paths) and
 * on `sources` (written to a temporary directory whose node_modules is the project's).
 */
async function typecheck(files: readonly string[], sources: Readonly<Record<string, string>> = {}): Promise<Check> {
  const dir = await mkdtemp(join(tmpdir(), "exo-typed-"));
  try {
    const { compilerOptions } = JSON.parse(await readFile(join(REPO, "tsconfig.json"), "utf8")) as { compilerOptions: unknown };
    await symlink(join(REPO, "node_modules"), join(dir, "node_modules"));
    await writeFile(join(dir, "package.json"), `{ "type": "module", "private": true }\n`);
    for (const [name, source] of Object.entries(sources)) await writeFile(join(dir, name), source);
    await writeFile(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files: [...files, ...Object.keys(sources)] }, null, 2));
    const { code, output } = await new Promise<{ code: number; output: string }>((done) => {
      execFile(TSC, ["--noEmit", "--pretty", "false", "-p", "tsconfig.json"], { cwd: dir, timeout: 120_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
        done({ code: error ? (typeof error.code === "number" ? error.code : 99) : 0, output: stdout + stderr });
      });
    });
    return { code, output, sources };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The errors of a tsc run: file, line, column, code, message, and the word of the source at that place. */
function errors(check: Check): { file: string; line: number; column: number; code: string; message: string; word: string | undefined }[] {
  return [...check.output.matchAll(/^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/gm)].map(([, file, line, column, code, message]) => {
    const text = check.sources[file!]?.split("\n")[Number(line) - 1];
    return { file: file!, line: Number(line), column: Number(column), code: code!, message: message!, word: text?.slice(Number(column) - 1).match(/^\w+/)?.[0] };
  });
}

/** A profile that imports the third-party module, with `myapp` definitions `body`. */
const profile = (body: string, imports = "[myapp]"): string => `import { defineProfile } from ${API};
import myapp from ${MYAPP};
void myapp;

export default defineProfile({
  imports: ${imports},
  config: {
    system: { name: "typed" },
    myapp: ${body},
  },
});
`;

// Two tsc runs, each shared by the tests below: the right files, and the wrong ones (one error each).
let good: Promise<Check> | undefined;
const checkGood = (): Promise<Check> =>
  (good ??= typecheck([join(FIXTURES, "myapp.ts"), join(FIXTURES, "profile.ts")], { "good.ts": profile(`{ enable: true, port: 9090, greeting: "hi" }`) }));

let wrong: Promise<Check> | undefined;
const checkWrong = (): Promise<Check> =>
  (wrong ??= typecheck([], {
    "wrong-type.ts": profile(`{ enable: true, port: "9090" }`),
    "misspelt.ts": profile(`{ enable: true, prot: 9090 }`),
    "no-import.ts": profile(`{ port: 9090 }`, "[]"),
    "wrapper.ts": `import { defineModule, defineProfile } from ${API};
import myapp from ${MYAPP};

// Reads myapp's options typed: config.myapp.port is a number, options.myapp.greeting an OptionInfo<string>.
const wrapper = defineModule({
  imports: [myapp],
  config: ({ config, options }) => ({ myapp: { enable: config.myapp.port > 0 && options.myapp.greeting.value.length > 0 } }),
});

export default defineProfile({ imports: [wrapper], config: { myapp: { port: 1 } } });
export const wrong = defineProfile({ imports: [wrapper], config: { myapp: { enable: 1 } } });
`,
  }));

/** The errors of the wrong files' run in `file`. */
const errorsIn = async (file: string) => {
  const check = await checkWrong();
  return { check, found: errors(check).filter((e) => e.file === file) };
};

test("tsc accepts the third-party module and the profiles that set its options", async (t) => {
  const check = await checkGood();
  t.is(check.output.trim(), "");
  t.is(check.code, 0);
});

test("tsc rejects a custom option of the wrong type, at the option, in the profile", async (t) => {
  const { check, found } = await errorsIn("wrong-type.ts");
  t.not(check.code, 0);
  t.is(found.length, 1, check.output);
  t.like(found[0], { line: 9, code: "TS2322", word: "port" }, check.output);
  t.regex(found[0]?.message ?? "", /^Type 'string' is not assignable to type 'Marked<number \| Lazy<number, /);
  t.notRegex(check.output, /excessively deep/);
});

test("tsc rejects a misspelt custom option and names it", async (t) => {
  const { check, found } = await errorsIn("misspelt.ts");
  t.is(found.length, 1, check.output);
  t.like(found[0], { line: 9, code: "TS2353", word: "prot" }, check.output);
  t.regex(found[0]?.message ?? "", /'prot' does not exist in type/);
});

test("the options come with the import: without it `myapp` is unknown", async (t) => {
  const { check, found } = await errorsIn("no-import.ts");
  t.is(found.length, 1, check.output);
  t.like(found[0], { line: 9, code: "TS2353", word: "myapp" }, check.output);
});

test("a module passes on the options it imports, and its config function reads them typed", async (t) => {
  const { check, found } = await errorsIn("wrapper.ts");
  t.is(found.length, 1, check.output);
  t.like(found[0], { line: 11, code: "TS2322", word: "enable" }, check.output);
  t.regex(found[0]?.message ?? "", /^Type 'number' is not assignable to type 'Marked<boolean \| /);
});

test("tsc reports errors in the wrong files only", async (t) => {
  const check = await checkWrong();
  t.deepEqual([...new Set(errors(check).map((e) => e.file))].sort(), ["misspelt.ts", "no-import.ts", "wrapper.ts", "wrong-type.ts"], check.output);
  t.is(errors(check).length, check.output.trim().split("\n").length, check.output);
});

test("the evaluator gives the profile's values to the custom options, and the module defines base options from them", async (t) => {
  const evaluation = await evaluateProfile(join(FIXTURES, "profile.ts"));
  const config = evaluation.config as typeof evaluation.config & { readonly myapp: { readonly enable: boolean; readonly port: number; readonly greeting: string } };
  t.deepEqual({ ...config.myapp }, { enable: true, port: 9090, greeting: "hello" });
  t.deepEqual([...(config.sandbox.policies.myapp?.capabilities ?? [])], ["console", "fs.write"]);
  t.is(evaluation.options.get("myapp.port")?.declaredIn, "tests/fixtures/typed/myapp.ts:7");
  t.deepEqual(evaluation.options.get("myapp.port")?.definitions.map((d) => `${d.file}:${d.line}`), ["tests/fixtures/typed/profile.ts:9"]);
});
