// Every schema docs/json.md documents is checked against real output (issue
// 20): the field tables are parsed from the doc itself, and each output must
// have every documented field, with its documented type, and no other. Every
// table and every field must be met by some output, every schema of
// JSON_SCHEMAS must be documented, and every documented schema exercised, so
// that neither the doc nor the code can drift alone.
//
// One temporary project serves everything: a build of tests/fixtures/all-formats.ts
// (--json, then --check --json), two generations by `exo switch` (the second a
// different profile of the same system, so that `exo diff` and the boot menus
// have something to show), and the files those leave behind.
import test from "ava";
import { appendFile, chmod, cp, mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JSON_SCHEMAS } from "../../generator/cli/json.ts";
import { evaluateProfile } from "../../generator/eval/index.ts";
import { systemPackages } from "../../generator/packages/resolve.ts";
import { planBuild } from "../../generator/plan/plan.ts";
import type { Builder, BuildGraph } from "../../store/derivation.ts";
import { type BuildEvent, realise } from "../../store/realise.ts";
import { Store } from "../../store/store.ts";
import { exo, fixture, REPO, tempProject } from "../helpers/exo.ts";
import { startRegistry } from "../helpers/registry.ts";

// ---- The doc's tables -------------------------------------------------------

type Type = { kind: "prim"; name: string } | { kind: "lit"; value: unknown } | { kind: "array"; of: Type } | { kind: "map"; of: Type };

interface Field {
  readonly name: string;
  readonly types: readonly Type[];
  readonly optional: boolean;
}

interface Table {
  readonly schema: string;
  /** The header's first cell, as written: names the table in messages. */
  readonly label: string;
  /** `field` for the document itself, else field paths such as `formats[]` or `options.*`. */
  readonly paths: readonly string[];
  readonly variant: string | null;
  readonly fields: readonly Field[];
}

const PRIMS = new Set(["string", "number", "integer", "boolean", "null", "object", "any"]);

function parseType(text: string, where: string): Type {
  const t = text.trim();
  const literal = /^`(.+)`$/.exec(t);
  if (literal) return { kind: "lit", value: JSON.parse(literal[1]!) };
  if (t.endsWith("[]")) return { kind: "array", of: parseType(t.slice(0, -2), where) };
  if (t.startsWith("object of ")) return { kind: "map", of: parseType(t.slice("object of ".length), where) };
  if (PRIMS.has(t)) return { kind: "prim", name: t };
  throw new Error(`${where}: type '${t}' is none the doc's conventions name`);
}

function parseTable(schema: string, lines: readonly string[]): Table {
  const cells = (line: string) => line.replace(/^\|/, "").replace(/\|\s*$/, "").split(" | ").map((c) => c.trim());
  const header = cells(lines[0]!);
  if (header.length !== 3 || header[1] !== "type" || header[2] !== "meaning") throw new Error(`${schema}: table '${lines[0]}' is not field | type | meaning`);
  const head = /^(field|`[^`]+`(?:, `[^`]+`)*)(?: \(([a-z -]+)\))?$/.exec(header[0]!);
  if (!head) throw new Error(`${schema}: table header '${header[0]}' names no object`);
  const paths = head[1] === "field" ? ["field"] : [...head[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
  if (!/^\|(-+\|){3}$/.test(lines[1]!.replace(/\s/g, ""))) throw new Error(`${schema}: table '${header[0]}' lacks its separator row`);
  const fields = lines.slice(2).map((line) => {
    const [name, type] = cells(line);
    const m = /^`([A-Za-z0-9]+)`$/.exec(name!);
    if (!m) throw new Error(`${schema}: row '${line}' of '${header[0]}' does not name one field`);
    const where = `${schema} ${header[0]} ${m[1]}`;
    const optional = type!.endsWith(", optional");
    const types = type!.replace(/, optional$/, "").split(" or ").map((alt) => parseType(alt, where));
    return { name: m[1]!, types, optional };
  });
  return { schema, label: header[0]!, paths, variant: head[2] ?? null, fields };
}

/** Every schema section of docs/json.md (`## \`exo.NAME/vN\``) and its tables. */
async function documentedSchemas(): Promise<Map<string, Table[]>> {
  const docs = await readFile(join(REPO, "docs/json.md"), "utf8");
  const schemas = new Map<string, Table[]>();
  for (const section of docs.split(/^(?=## )/m)) {
    const name = /^## `(exo\.[a-z-]+\/v\d+)`/.exec(section)?.[1];
    if (!name) continue;
    if (schemas.has(name)) throw new Error(`${name} is documented twice`);
    const tables: string[][] = [];
    let previous = false;
    for (const line of section.split("\n")) {
      const row = line.startsWith("|");
      if (row && !previous) tables.push([]);
      if (row) tables.at(-1)!.push(line);
      previous = row;
    }
    schemas.set(name, tables.map((lines) => parseTable(name, lines)));
  }
  return schemas;
}

// ---- Checking an output against its tables ----------------------------------

const typeName = (t: Type): string => (t.kind === "lit" ? JSON.stringify(t.value) : t.kind === "prim" ? t.name : t.kind === "array" ? `${typeName(t.of)}[]` : `object of ${typeName(t.of)}`);

function matches(value: unknown, t: Type): boolean {
  switch (t.kind) {
    case "lit":
      return value === t.value;
    case "array":
      return Array.isArray(value) && value.every((v) => matches(v, t.of));
    case "map":
      return isObject(value) && Object.values(value).every((v) => matches(v, t.of));
    case "prim":
      switch (t.name) {
        case "any":
          return value !== undefined;
        case "null":
          return value === null;
        case "integer":
          return Number.isSafeInteger(value);
        case "object":
          return isObject(value);
        default:
          return typeof value === t.name;
      }
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The objects at a table path: `a.b` follows fields, `x[]` each item of an array, `*` each value of an object. */
function select(doc: unknown, path: string): unknown[] {
  let nodes = [doc];
  for (const seg of path.split(".")) {
    nodes = nodes.flatMap((n): unknown[] => {
      if (!isObject(n)) return [];
      if (seg === "*") return Object.values(n);
      if (seg.endsWith("[]")) {
        const a = n[seg.slice(0, -2)];
        return Array.isArray(a) ? a : [];
      }
      return seg in n ? [n[seg]] : [];
    });
  }
  return nodes;
}

interface Coverage {
  /** Objects each table described, by schema and label. */
  readonly tables: Map<string, number>;
  /** Fields seen, by schema, label and field name. */
  readonly fields: Set<string>;
  readonly schemas: Set<string>;
}

const coverage: Coverage = { tables: new Map(), fields: new Set(), schemas: new Set() };
const key = (table: Table, field?: string) => `${table.schema} ${table.label}${field ? ` ${field}` : ""}`;

/** The problems of `doc` against the tables of `schema`; `variant` picks the variant tables. */
function problemsOf(schemas: Map<string, Table[]>, schema: string, doc: unknown, variant: string | null = null): string[] {
  const tables = schemas.get(schema);
  if (!tables) return [`${schema} is not documented`];
  if (!isObject(doc)) return [`${schema}: output is no object`];
  const problems: string[] = [];
  if (doc.schema !== schema) problems.push(`schema is ${JSON.stringify(doc.schema)}, not ${schema}`);
  coverage.schemas.add(schema);
  if (variant !== null && !tables.some((t) => t.variant === variant)) problems.push(`${schema}: no table documents the variant '${variant}'`);
  // Tables by path: the one without variant plus the variant's own.
  const byPath = new Map<string, Table[]>();
  for (const t of tables) {
    if (t.variant !== null && t.variant !== variant) continue;
    for (const p of t.paths) byPath.set(p, [...(byPath.get(p) ?? []), t]);
  }
  for (const [path, group] of byPath) {
    const objects = path === "field" ? [doc] : select(doc, path);
    for (const [i, obj] of objects.entries()) {
      const where = path === "field" ? schema : `${schema} ${path}#${i}`;
      if (!isObject(obj)) {
        problems.push(`${where}: is no object`);
        continue;
      }
      for (const t of group) coverage.tables.set(key(t), (coverage.tables.get(key(t)) ?? 0) + 1);
      const fields = new Map(group.flatMap((t) => t.fields.map((f) => [f.name, { f, t }] as const)));
      for (const name of Object.keys(obj)) if (!fields.has(name)) problems.push(`${where}: field \`${name}\` is not documented`);
      for (const [name, { f, t }] of fields) {
        if (!(name in obj)) {
          if (!f.optional) problems.push(`${where}: documented field \`${name}\` is missing`);
          continue;
        }
        coverage.fields.add(key(t, name));
        if (!f.types.some((ty) => matches(obj[name], ty))) problems.push(`${where}: \`${name}\` is ${JSON.stringify(obj[name])?.slice(0, 80)}, not ${f.types.map(typeName).join(" or ")}`);
      }
    }
  }
  return problems;
}

// ---- Real output, made once -------------------------------------------------

const json = (text: string): unknown => JSON.parse(text);
const lines = (text: string): unknown[] => text.split("\n").filter(Boolean).map(json);

/** The second generation: the same system as all-formats.ts, other options and packages. */
const SECOND = `system:
  name: formats
image:
  formats: [bundle, kernel, iso, raw]
kernel:
  scheduler:
    policy: round-robin
packages:
  install: [hello]
`;

async function run(args: readonly string[], cwd: string, expected = 0): Promise<string> {
  const r = await exo(args, { cwd });
  if (r.code !== expected) throw new Error(`exo ${args.join(" ")}: exit ${r.code}, not ${expected}\n${r.stderr}`);
  return r.stdout;
}

async function makeOutputs() {
  const dir = await tempProject();
  const first = fixture("all-formats.ts");
  await writeFile(join(dir, "second.yaml"), SECOND);
  const o: Record<string, unknown> = {};
  o.build = lines(await run(["build", first, "--json"], dir));
  o.check = lines(await run(["build", first, "--check", "--json", "--no-link"], dir));
  await run(["switch", first], dir);
  await run(["switch", "second.yaml", "--message", "second"], dir);
  o.buildReused = lines(await run(["build", "second.yaml", "--json", "--out-link", "result-second"], dir));
  o.generations = json(await run(["generations", "--json"], dir));
  const gens = o.generations as { generations: { storePath: string }[] };
  const switched = join("store/v1/paths", gens.generations[1]!.storePath);
  o.diff = json(await run(["diff", "1", "2", "--json"], dir));
  Object.assign(o, await registryOutputs(dir, first, switched));
  o.verify = json(await run(["verify", switched, "--json"], dir));
  o.verifyFailed = json(await run(["verify", "result", "--json"], dir, 1)); // version 0 after 2: a downgrade
  o.storeVerify = json(await run(["store", "verify", "--json"], dir));
  o.pathInfo = json(await run(["store", "path-info", "result", "--json"], dir));
  o.pathInfoSize = json(await run(["store", "path-info", "result", "--closure", "--size", "--json"], dir));
  o.gc = json(await run(["gc", "--dry-run", "--json"], dir));
  o.eval = json(await run(["eval", first, "--json"], dir));
  o.evalOption = json(await run(["eval", first, "kernel.ipc", "--json"], dir));
  o.explain = json(await run(["explain", "second.yaml", "kernel.scheduler.policy", "--json"], dir));
  o.explainNamespace = json(await run(["explain", first, "kernel.ipc", "--json"], dir));
  o.options = json(await run(["options", "--json"], dir));
  o.search = json(await run(["search", "--json"], dir));
  o.show = json(await run(["show", "ring-bench", "--json"], dir));
  o.error = json(await run(["eval", "nope.ts", "--json"], dir, 1));
  // Files the commands leave behind.
  const file = async (...p: string[]) => json(await readFile(join(dir, ...p), "utf8"));
  o.trustState = await file(".exo/trust-state.json");
  o.generationRecords = await Promise.all([1, 2].map((n) => file(".exo/generations", `${n}.json`)));
  const meta = await readdir(join(dir, "store/v1/meta"));
  o.metaFiles = await Promise.all(meta.map((m) => file("store/v1/meta", m)));
  o.manifests = [await file("result/manifest.json"), await file(switched, "manifest.json")];
  o.signatures = [await file("result/manifest.sig"), await file("result/image.sig"), await file(switched, "image.sig")];
  o.images = [await file("result/image.json"), await file(switched, "image.json")];
  // The build graph, which no command prints: planned as `exo switch` plans the second generation.
  const record = (o.generationRecords as { payload: string }[])[0]!;
  const second = await evaluateProfile(join(dir, "second.yaml"));
  o.plan = planBuild(second, { keyId: "0123456789abcdef", version: 2, olderGenerations: [{ number: 1, version: 1, system: "formats", payload: record.payload }], ...(await systemPackages(second.config, { profileDir: dir })) });
  o.rareEvents = await rareBuildEvents();
  // Last, as it deletes a path: a corrupt store path, found and then repaired.
  const objects = (await readdir(join(dir, "store/v1/paths"))).filter((p) => p.endsWith(".c.o"));
  const corrupt = join(dir, "store/v1/paths", objects[0]!, "object.o");
  await chmod(join(corrupt, ".."), 0o755);
  await chmod(corrupt, 0o644);
  await appendFile(corrupt, "corrupt");
  o.storeVerifyCorrupt = json(await run(["store", "verify", "--json"], dir, 1));
  o.storeVerifyRepair = json(await run(["store", "verify", "--repair", "--json"], dir));
  return o;
}

/**
 * What goes through a registry (Debian's docker-registry on loopback): an
 * image pushed and pulled, the build's closure copied to a binary cache and
 * a path fetched back, and a second project's build that substitutes from
 * it after a first cache that cannot be reached is refused.
 */
async function registryOutputs(dir: string, profile: string, switched: string): Promise<Record<string, unknown>> {
  const registry = await startRegistry();
  try {
    const cache = registry.url("exo/cache");
    const o: Record<string, unknown> = {};
    // The switched image (version 2): a pull checks freshness, and version 0 would be a downgrade here.
    o.push = json(await run(["push", switched, `oci://${registry.host}/exo/formats:v1`, "--json"], dir));
    o.pull = json(await run(["pull", `oci://${registry.host}/exo/formats:v1`, "--no-link", "--json"], dir));
    o.copyTo = json(await run(["copy", "--to", cache, "result", "--json"], dir));
    const other = await tempProject();
    await cp(join(dir, "keys"), join(other, "keys"), { recursive: true, force: true });
    await writeFile(
      join(other, "exo.config.ts"),
      `export default { store: "store", keys: { secretKey: "keys/test.key", trusted: ["keys/test.pub"] }, substituters: [{ url: "oci://127.0.0.1:9/unreachable", trusted: ["keys/test.pub"] }, { url: ${JSON.stringify(cache)}, trusted: ["keys/test.pub"] }] };\n`,
    );
    const object = (o.copyTo as { pathsSent: string[] }).pathsSent.find((p) => p.endsWith(".c.o"))!;
    o.copyFrom = json(await run(["copy", "--from", cache, object, "--json"], other));
    o.substituted = lines(await run(["build", profile, "--json", "--no-link"], other));
    return o;
  } finally {
    await registry.stop();
  }
}

/**
 * The build events a plain build does not emit, from the same realiser `exo
 * build` runs, wrapped as it wraps them: `waiting` (two builds of one
 * derivation at once) and `failed`.
 */
async function rareBuildEvents(): Promise<unknown[]> {
  const root = await mkdtemp(join(tmpdir(), "exo-json-schemas-"));
  const events: BuildEvent[] = [];
  const onEvent = (e: BuildEvent) => events.push(e);
  const slow: Builder = {
    version: "slow-1",
    async run(ctx) {
      await new Promise((r) => setTimeout(r, 300));
      await writeFile(join(ctx.out, "out.txt"), "x");
    },
  };
  const broken: Builder = {
    version: "broken-1",
    async run(ctx) {
      ctx.log("about to fail");
      throw new Error("broken on purpose");
    },
  };
  const graph = (builder: string): BuildGraph => ({ schema: JSON_SCHEMAS.plan, derivations: [{ id: builder, name: builder, builder, args: {}, inputs: {} }], output: builder });
  await Promise.all([0, 1].map(() => realise(graph("slow"), { store: new Store(root), builders: { slow }, jobs: 1, onEvent })));
  await realise(graph("broken"), { store: new Store(root), builders: { broken }, jobs: 1, onEvent }).catch(() => undefined);
  return events.map((e) => ({ schema: JSON_SCHEMAS.buildEvent, ...e }));
}

let outputs: ReturnType<typeof makeOutputs> | undefined;
const real = () => (outputs ??= makeOutputs());
const docs = documentedSchemas();

/** Check each document; a build event stream by its events' `type`. */
function checkAll(schemas: Map<string, Table[]>, schema: string, docsOut: readonly unknown[], variantOf: (d: Record<string, unknown>) => string | null = () => null): string[] {
  return [...new Set(docsOut.flatMap((d) => problemsOf(schemas, schema, d, isObject(d) ? variantOf(d) : null)))];
}

// ---- The tests ---------------------------------------------------------------

test.serial("every schema in JSON_SCHEMAS is documented, and the doc's tables follow its conventions", async (t) => {
  const schemas = await docs;
  for (const name of Object.values(JSON_SCHEMAS)) t.true(schemas.has(name), `${name} (generator/cli/json.ts) is not documented in docs/json.md`);
  for (const [name, tables] of schemas) {
    t.true(tables.length > 0, `${name} has no field table`);
    t.is(tables.filter((tb) => tb.paths[0] === "field" && tb.variant === null).length, 1, `${name} has one table of the document itself`);
    const base = tables.find((tb) => tb.paths[0] === "field" && tb.variant === null);
    t.like(base?.fields[0], { name: "schema", types: [{ kind: "lit", value: name }], optional: false }, `${name}: the first field is \`schema\`, "${name}"`);
  }
});

const cases: [string, string, (o: Record<string, unknown>) => unknown[], ((d: Record<string, unknown>) => string | null)?][] = [
  ["exo.error/v1", "eval of a missing profile", (o) => [o.error]],
  ["exo.eval/v1", "eval, whole and one option", (o) => [o.eval, o.evalOption]],
  ["exo.explain/v1", "explain an option and a namespace", (o) => [o.explain, o.explainNamespace], (d) => ("namespace" in d ? "namespace" : "option")],
  ["exo.options/v1", "options", (o) => [o.options]],
  ["exo.packages/v1", "search and show", (o) => [o.search, o.show]],
  ["exo.build-event/v2", "build, build --check, a substituted build, and the realiser's waiting and failed", (o) => [o.build, o.check, o.buildReused, o.substituted, o.rareEvents].flat() as unknown[], (d) => String(d.type)],
  ["exo.push/v1", "push of a switched image", (o) => [o.push]],
  ["exo.pull/v1", "pull of it", (o) => [o.pull]],
  ["exo.copy/v1", "copy --to a cache, and --from it", (o) => [o.copyTo, o.copyFrom], (d) => String(d.direction)],
  ["exo.plan/v1", "the build graph of a switch", (o) => [o.plan]],
  ["exo.verify/v1", "verify of a switched image, and of a downgrade", (o) => [o.verify, o.verifyFailed]],
  ["exo.trust-state/v1", ".exo/trust-state.json", (o) => [o.trustState]],
  ["exo.store-verify/v1", "store verify of a sound store, a corrupt one, and --repair", (o) => [o.storeVerify, o.storeVerifyCorrupt, o.storeVerifyRepair]],
  ["exo.path-info/v1", "store path-info, with --closure --size, and the meta files", (o) => [o.pathInfo, o.pathInfoSize, ...(o.metaFiles as unknown[])], (d) => ("paths" in d ? "output" : "meta file")],
  ["exo.gc/v1", "gc --dry-run", (o) => [o.gc]],
  ["exo.generations/v1", "generations", (o) => [o.generations]],
  ["exo.generation/v1", "the generation records", (o) => o.generationRecords as unknown[]],
  ["exo.diff/v1", "diff of two generations", (o) => [o.diff]],
  ["exo.manifest/v2", "manifest.json of a build and a switch", (o) => o.manifests as unknown[]],
  ["exo.signature/v1", "manifest.sig and image.sig", (o) => o.signatures as unknown[]],
  ["exo.image/v1", "image.json of a build and a switch", (o) => o.images as unknown[]],
];

for (const [schema, what, pick, variantOf] of cases) {
  test.serial(`${schema}: ${what} has exactly the documented fields and types`, async (t) => {
    const o = await real();
    const schemas = await docs;
    const found = pick(o);
    t.true(found.length > 0);
    t.deepEqual(checkAll(schemas, schema, found, variantOf), []);
  });
}

/** Fields no output here can show, and why. */
const UNSEEN: Record<string, string> = {};

test.serial("every documented schema, table and field is met by some output", async (t) => {
  await real();
  const schemas = await docs;
  const exercised = new Set(cases.map(([s]) => s));
  for (const name of schemas.keys()) t.true(exercised.has(name) && coverage.schemas.has(name), `${name} is documented but not exercised`);
  for (const tables of schemas.values()) {
    for (const table of tables) {
      t.true((coverage.tables.get(key(table)) ?? 0) > 0, `no output has an object of table ${key(table)}`);
      for (const f of table.fields) {
        const k = key(table, f.name);
        if (k in UNSEEN) t.false(coverage.fields.has(k), `${k} is seen now: drop it from UNSEEN`);
        else t.true(coverage.fields.has(k), `no output has the documented field ${k}`);
      }
    }
  }
});
