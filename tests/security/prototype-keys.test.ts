// Keys that Object.prototype also has (`__proto__`, `constructor`, `toString`,
// `hasOwnProperty`) in every map option, in TypeScript and YAML profiles:
// each is an ordinary entry or a user error naming the option, never an
// internal error, never dropped without a word, and never a policy that
// "exists" because every object has such a property.
import test, { type ExecutionContext } from "ava";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";
import { ExoError } from "../../generator/errors.ts";
import { evaluateProfile } from "../../generator/eval/index.ts";
import { evaluateModules } from "../../generator/eval/evaluate.ts";
import { isMapType } from "../../generator/eval/merge.ts";
import type { Module } from "../../generator/eval/module.ts";
import { baseDeclarations } from "../../generator/eval/reference.ts";
import { baseModules } from "../../modules/index.ts";
import { exo, type ExoRun, REPO } from "../helpers/exo.ts";

const KEYS = ["__proto__", "constructor", "toString", "hasOwnProperty"] as const;
const API = pathToFileURL(join(REPO, "generator/api.ts")).href;

/** Every map option, found from the declarations, so a new one is covered without touching this file. */
const mapOptions = (async () => [...(await baseDeclarations()).options.values()].filter((d) => isMapType(d.decl.type)))();

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "exo-proto-"));
  await writeFile(join(dir, "package.json"), `{ "type": "module", "private": true }\n`);
  return dir;
}

/** An object with own property `key`, whatever the key (a computed key never sets the prototype). */
const entry = (key: string, value: unknown): Record<string, unknown> => ({ [key]: value });

/** `{ a: { b: leaf } }` for the path "a.b". */
function nest(path: string, leaf: unknown): unknown {
  return path.split(".").reduceRight<unknown>((inner, key) => entry(key, inner), leaf);
}

/** A TypeScript literal of `value`, every key computed: `{ ["__proto__"]: ... }` is a key, as a user would write it. */
function tsLiteral(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(tsLiteral).join(", ")}]`;
  if (value !== null && typeof value === "object") return `{ ${Object.keys(value).map((k) => `[${JSON.stringify(k)}]: ${tsLiteral((value as Record<string, unknown>)[k])}`).join(", ")} }`;
  return JSON.stringify(value);
}

/** A block-style YAML mapping of `value`; keys quoted, other values in flow style (JSON is YAML). */
function yamlText(value: Record<string, unknown>, indent = ""): string {
  return Object.entries(value)
    .map(([k, v]) =>
      v !== null && typeof v === "object" && !Array.isArray(v)
        ? `${indent}${JSON.stringify(k)}:\n${yamlText(v as Record<string, unknown>, `${indent}  `)}`
        : `${indent}${JSON.stringify(k)}: ${JSON.stringify(v)}\n`,
    )
    .join("");
}

async function writeProfile(dir: string, name: string, format: "ts" | "yaml", tree: unknown): Promise<string> {
  const file = join(dir, `${name}.${format}`);
  const text = format === "ts" ? `import { defineProfile } from ${JSON.stringify(API)};\n\nexport default defineProfile({\n  config: ${tsLiteral(tree)} as never,\n});\n` : yamlText(tree as Record<string, unknown>);
  await writeFile(file, text);
  return file;
}

function ownAt(value: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((v, k) => (v !== null && typeof v === "object" && Object.hasOwn(v, k) ? (v as Record<string, unknown>)[k] : undefined), value);
}

type Outcome = "entry" | "refused";

/** Exit 0 with the key as an own entry holding what was defined, or exit 1 with an error naming the option, the key and the file. */
function outcome(t: ExecutionContext, r: ExoRun, option: string, key: string, file: string, expected: unknown): Outcome | undefined {
  const what = `${option}.${key} in ${basename(file)}: exit ${r.code}\n${r.stderr}`;
  t.notRegex(r.stderr, /internal error/, what);
  if (r.code === 0) {
    const map = ownAt((JSON.parse(r.stdout) as { value: unknown }).value, option);
    t.true(map !== null && typeof map === "object" && Object.hasOwn(map, key), `${what}: accepted, but the key is not in the result`);
    // What was defined, plus the defaults of a submodule element's other options.
    const got = ownAt(map, key);
    if (expected !== null && typeof expected === "object" && !Array.isArray(expected)) t.like(got, expected as Record<string, unknown>, what);
    else t.deepEqual(got, expected, what);
    return "entry";
  }
  t.is(r.code, 1, what);
  // The error: its first line, or for failed assertions the list below it, up to the hint.
  const error = /^error\[ERR_EXO_[A-Z_]+\]: ([\s\S]*?)^hint: /m.exec(r.stderr)?.[1] ?? "";
  t.true(error.includes(`\`${option}\``) || error.includes(`${option}.${key} `) || error.includes(`${option} names "${key}"`), `${what}: the error names the option`);
  t.true(error.includes(key), `${what}: the error names the key`);
  t.true(error.includes(basename(file)), `${what}: the error names the file`);
  t.regex(r.stderr, /^hint: /m, what);
  return r.code === 1 ? "refused" : undefined;
}

test("the map options are found from the declarations", async (t) => {
  const paths = (await mapOptions).map((d) => d.path);
  t.true(paths.includes("sandbox.policies"), paths.join(", "));
  t.true(paths.includes("packages.policies"), paths.join(", "));
  t.false(paths.includes("packages.install"), "a list is not a map");
});

for (const format of ["ts", "yaml"] as const) {
  test(`every map option, every prototype key, in a ${format === "ts" ? "TypeScript" : "YAML"} profile: an ordinary entry or a clear error`, async (t) => {
    const dir = await tempDir();
    const seen = new Map<string, Outcome | undefined>();
    await Promise.all(
      (await mapOptions).flatMap(({ path, decl }) =>
        KEYS.map(async (key) => {
          // The option's own example gives a value its type accepts; the key is what is under test.
          const [exampleKey, value] = Object.entries(decl.example as Record<string, unknown>)[0]!;
          const expected = (decl.type.parse(decl.example) as Record<string, unknown>)[exampleKey];
          const file = await writeProfile(dir, `${path.replace(/\W/g, "-")}-${key}`, format, nest(path, entry(key, value)));
          const r = await exo(["eval", file, "--json"], { cwd: dir });
          seen.set(`${path}.${key}`, outcome(t, r, path, key, file, expected));
        }),
      ),
    );
    // Where the key schema allows it, `constructor` is a policy like any other; `__proto__` never is.
    t.is(seen.get("sandbox.policies.constructor"), "entry");
    for (const { path } of await mapOptions) t.is(seen.get(`${path}.__proto__`), "refused", path);
  });
}

test("`__proto__:` written as an object literal key in a TypeScript profile is refused, not lost", async (t) => {
  const dir = await tempDir();
  const cases = {
    map: `sandbox: { policies: { __proto__: { capabilities: ["console"] } } }`,
    string: `packages: { install: ["hello"], policies: { "__proto__": "init" } }`,
    namespace: `kernel: { __proto__: { debugExit: false } }`,
  };
  for (const [name, config] of Object.entries(cases)) {
    const file = join(dir, `literal-${name}.ts`);
    await writeFile(file, `import { defineProfile } from ${JSON.stringify(API)};\n\nexport default defineProfile({\n  config: { ${config} } as never,\n});\n`);
    const r = await exo(["eval", file], { cwd: dir });
    t.is(r.code, 1, `${name}: ${r.stderr}`);
    t.regex(r.stderr, new RegExp(`^error\\[ERR_EXO_PROFILE_INVALID\\]: ${basename(file)}:4: .*__proto__`, "m"), name);
    t.regex(r.stderr, /^hint: /m, name);
  }
});

/** Evaluate a profile in this process; the ExoError it fails with, or undefined. */
async function evalError(file: string): Promise<ExoError | undefined> {
  return evaluateProfile(file).then(
    () => undefined,
    (e: unknown) => {
      if (e instanceof ExoError) return e;
      throw e;
    },
  );
}

for (const format of ["ts", "yaml"] as const) {
  test(`a policy or package named by a prototype key is unknown unless defined (${format})`, async (t) => {
    const dir = await tempDir();
    for (const key of KEYS) {
      const byDefault = await writeProfile(dir, `default-${key}`, format, { sandbox: { defaultPolicy: key }, packages: { install: ["hello"] } });
      const byPackage = await writeProfile(dir, `package-${key}`, format, { packages: { install: ["hello"], policies: { hello: key } } });
      for (const [file, option] of [[byDefault, "sandbox.defaultPolicy"], [byPackage, "packages.policies.hello"]] as const) {
        const error = await evalError(file);
        t.truthy(error, `${basename(file)}: "${key}" passed as a policy`);
        t.regex(error?.message ?? "", new RegExp(`${option.replace(/\./g, "\\.")} is "${key}", an unknown policy`), basename(file));
      }
      // Nor is it a package: the package set is looked up by own names only.
      const installed = await writeProfile(dir, `install-${key}`, format, { packages: { install: [key] } });
      // "constructor" is a well-formed package name, so it is looked up in the set (own names only); the others are no names at all.
      t.regex((await evalError(installed))?.message ?? "passed", /^option `packages\.install` at `\d+` has a wrong value .*got "|packages\.install holds "constructor", which is not in packages\.set/, basename(installed));
    }
  });
}

test("end to end: `exo eval` reports the unknown policy with exit 1", async (t) => {
  const dir = await tempDir();
  const file = await writeProfile(dir, "default-constructor", "yaml", { sandbox: { defaultPolicy: "constructor" }, packages: { install: ["hello"], policies: { hello: "toString" } } });
  const r = await exo(["eval", file], { cwd: dir });
  t.is(r.code, 1, r.stderr);
  t.regex(r.stderr, /^error\[ERR_EXO_ASSERTION\]: 2 assertions failed:$/m);
  t.regex(r.stderr, /sandbox\.defaultPolicy is "constructor", an unknown policy/);
  t.regex(r.stderr, /packages\.policies\.hello is "toString", an unknown policy/);
});

test("`exo eval PROFILE OPTION.PATH` finds own entries only", async (t) => {
  const dir = await tempDir();
  const file = await writeProfile(dir, "own", "yaml", { sandbox: { policies: { constructor: { capabilities: ["console"] } } } });
  const own = await exo(["eval", file, "sandbox.policies.constructor.capabilities"], { cwd: dir });
  t.is(own.code, 0, own.stderr);
  t.deepEqual(JSON.parse(own.stdout), ["console"]);
  const inherited = await exo(["eval", file, "sandbox.policies.toString"], { cwd: dir });
  t.is(inherited.code, 1, inherited.stderr);
  t.regex(inherited.stderr, /^error\[ERR_EXO_OPTION_UNKNOWN\]: option `sandbox\.policies\.toString` does not exist$/m);
});

/** A module defined in memory, as a profile file would be. */
const module = (name: string, config: unknown): Module => ({ kind: "module", file: `/virtual/${name}.ts`, line: 1, config: config as Module["config"] });

test("a `constructor` policy merges across modules exactly as any other name does", async (t) => {
  const defs = (name: string) => [
    module("a", { sandbox: { policies: entry(name, { capabilities: ["console"], memoryPages: 64 }) } }),
    module("b", { sandbox: { policies: entry(name, { capabilities: ["fs.write"] }) } }),
  ];
  const plain = await evaluateModules([...baseModules, ...defs("web")]);
  const proto = await evaluateModules([...baseModules, ...defs("constructor")]);
  const policies = proto.config.sandbox.policies as Record<string, unknown>;
  t.true(Object.hasOwn(policies, "constructor"));
  t.deepEqual(policies.constructor, (plain.config.sandbox.policies as Record<string, unknown>).web);
  t.deepEqual(Object.keys(policies).sort(), ["constructor", "init"]);
});

test("a `__proto__` key from JSON data, or a prototype replaced by a literal, is refused with the option and file", async (t) => {
  const parsed = module("json", { sandbox: { policies: JSON.parse('{"__proto__": {"capabilities": ["console"]}}') as unknown } });
  const error = await evaluateModules([...baseModules, parsed]).catch((e: unknown) => e);
  t.true(error instanceof ExoError, String(error));
  t.regex((error as Error).message, /^option `sandbox\.policies` at `__proto__` \(defined in \/virtual\/json\.ts:\d+\)/);

  const deep = module("deep", { sandbox: { policies: { web: JSON.parse('{"capabilities": ["console"], "__proto__": {}}') as unknown } } });
  t.regex(((await evaluateModules([...baseModules, deep]).catch((e: unknown) => e)) as Error).message, /`sandbox\.policies` at `web\.__proto__`/);

  const literal = module("literal", { sandbox: { policies: Object.create({ capabilities: ["console"] }) as unknown } });
  t.regex(((await evaluateModules([...baseModules, literal]).catch((e: unknown) => e)) as Error).message, /`sandbox\.policies` at `__proto__` .*prototype was replaced/);

  const namespace = module("namespace", { kernel: Object.create({ debugExit: false }) as unknown });
  t.regex(((await evaluateModules([...baseModules, namespace]).catch((e: unknown) => e)) as Error).message, /option `kernel\.__proto__` does not exist/);
});
