// Package manifests (issue 14, first step): an `.exopkg` file or package.ts
// is checked against one schema; every problem is reported at once, naming
// the manifest's file:line and the field.
import test from "ava";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExoError, ExoErrors } from "../../generator/errors.ts";
import { manifestJsonSchema } from "../../generator/packages/json-schema.ts";
import { loadPackage } from "../../generator/packages/manifest.ts";
import { REPO } from "../helpers/exo.ts";

const API = JSON.stringify(join(REPO, "generator/api.ts"));

const GOOD = `package:
  name: greeter
  version: 1.2.0
  description: Greets the console.
  license: MIT
sources: [src/main.c]
dependencies:
  build: { libgreet: ^0.3 }
sandbox:
  capabilities: [console, ipc]
  ipc: [echo-server]
  memoryPages: 64
services:
  - name: greeter
    daemon: true
    restart: on-failure
`;

async function packageDir(t: { teardown(fn: () => Promise<void>): void }, files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "exo-pkg-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, ".."), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

async function problems(path: string): Promise<ExoError[]> {
  const error = await loadPackage(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ExoError)) throw new Error(`expected the manifest to be refused, got ${String(error)}`);
  return error instanceof ExoErrors ? [...error.errors] : [error];
}

test("a YAML manifest loads with every default filled in", async (t) => {
  const dir = await packageDir(t, { "greeter.exopkg": GOOD });
  const { manifest, file, dir: at } = await loadPackage(dir);
  t.is(file, join(dir, "greeter.exopkg"));
  t.is(at, dir);
  t.like(manifest.package, { name: "greeter", version: "1.2.0", kind: "program" });
  t.deepEqual(manifest.dependencies, { build: { libgreet: "^0.3" }, runtime: {} });
  t.deepEqual(manifest.binary, { strip: true, lto: false });
  t.deepEqual(manifest.sandbox, { capabilities: ["console", "ipc"], filesystem: { read: [], write: [] }, network: false, ipc: ["echo-server"], memoryPages: 64 });
  t.deepEqual(manifest.services, [{ name: "greeter", daemon: true, restart: "on-failure" }]);
});

test("the same manifest in TypeScript (definePackage) loads to the same value", async (t) => {
  const ts = `import { definePackage } from ${API};
export default definePackage({
  package: { name: "greeter", version: "1.2.0", description: "Greets the console.", license: "MIT" },
  sources: ["src/main.c"],
  dependencies: { build: { libgreet: "^0.3" } },
  sandbox: { capabilities: ["console", "ipc"], ipc: ["echo-server"], memoryPages: 64 },
  services: [{ name: "greeter", daemon: true, restart: "on-failure" }],
});
`;
  const yamlDir = await packageDir(t, { "greeter.exopkg": GOOD });
  const tsDir = await packageDir(t, { "package.ts": ts });
  t.deepEqual((await loadPackage(tsDir)).manifest, (await loadPackage(yamlDir)).manifest);
});

test("every problem of a YAML manifest is reported, each at its line and field", async (t) => {
  const bad = `package:
  name: Greeter
  version: "1.2"
  description: Greets.
  license: MIT
sources: [../outside.c]
sandbox:
  capabilities: [console, teleport]
  colour: blue
build:
  cflags: [-fplugin=/tmp/evil.so]
`;
  const dir = await packageDir(t, { "greeter.exopkg": bad });
  const found = (await problems(dir)).map((e) => [e.code, /greeter\.exopkg:(\d+): (`[^`]+`)/.exec(e.message)?.slice(1).join(" ")]);
  t.deepEqual(found, [
    ["ERR_EXO_PACKAGE_INVALID", "2 `package.name`"],
    ["ERR_EXO_PACKAGE_INVALID", "3 `package.version`"],
    ["ERR_EXO_PACKAGE_INVALID", "6 `sources.0`"],
    ["ERR_EXO_PACKAGE_INVALID", "11 `build.cflags.0`"],
    ["ERR_EXO_PACKAGE_INVALID", "8 `sandbox.capabilities.1`"],
    ["ERR_EXO_PACKAGE_INVALID", "9 `sandbox.colour`"],
  ]);
});

test("rules across fields: sources or prebuilt, libraries have headers and no services, no self-dependency, unique services", async (t) => {
  const head = (kind: string) => `package: { name: lib, version: 0.1.0, description: A library., license: MIT, kind: ${kind} }\n`;
  const cases: [string, RegExp][] = [
    [`${head("program")}`, /`sources`: a package needs sources \(C files\) or a prebuilt file/],
    [`${head("program")}sources: [a.c]\nprebuilt: { file: bin/x, sha256: ${"a".repeat(64)} }\n`, /`prebuilt`: a package has sources or a prebuilt file, not both/],
    [`${head("library")}sources: [a.c]\n`, /`headers`: a library lists the headers/],
    [`${head("library")}sources: [a.c]\nheaders: [a.h]\nservices: [{ name: lib }]\n`, /`services`: a library has no services/],
    [`${head("program")}sources: [a.c]\ndependencies: { runtime: { lib: "1.0.0" } }\n`, /`dependencies\.runtime\.lib`: a package cannot depend on itself/],
    [`${head("program")}sources: [a.c]\nservices: [{ name: a }, { name: a }]\n`, /`services\.1\.name`: the service name "a" is used twice/],
    [`${head("program")}sources: [a.c]\ndependencies: { build: { libx: "not a range" } }\n`, /`dependencies\.build\.libx`: a version requirement/],
  ];
  for (const [text, message] of cases) {
    const dir = await packageDir(t, { "lib.exopkg": text });
    const found = await problems(dir);
    t.true(found.some((e) => message.test(e.message)), `${message}: ${found.map((e) => e.message).join("\n")}`);
  }
});

test("a folder must hold exactly one manifest, and a broken YAML manifest names line and column", async (t) => {
  const none = await packageDir(t, { "src/main.c": "int main(void) { return 0; }\n" });
  t.regex((await problems(none))[0]!.message, /holds no package manifest/);
  const two = await packageDir(t, { "a.exopkg": GOOD, "package.ts": "export default 1;\n" });
  t.regex((await problems(two))[0]!.message, /holds 2 package manifests \(a\.exopkg, package\.ts\)/);
  const broken = await packageDir(t, { "x.exopkg": "package:\n  name: [unclosed\n" });
  t.regex((await problems(broken))[0]!.message, /x\.exopkg:\d+:\d+: YAML syntax error/);
});

test("schemas/exopkg.schema.json is current (npm run docs regenerates it)", async (t) => {
  t.deepEqual(JSON.parse(await readFile(join(REPO, "schemas/exopkg.schema.json"), "utf8")), manifestJsonSchema());
});
