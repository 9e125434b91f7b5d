// The option reference: complete, current, and the JSON Schema YAML profiles are checked against.
import test from "ava";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { baseDeclarations, markdownReference, optionDocs, profileJsonSchema } from "../../generator/eval/reference.ts";
import { exo, profile, REPO } from "../helpers/exo.ts";

test("every option has a description, an example, and a default its type accepts", async (t) => {
  const declarations = await baseDeclarations();
  t.true(declarations.options.size >= 20);
  for (const { path, decl } of declarations.options.values()) {
    t.true(decl.description.trim().length > 10, `${path} needs a description`);
    t.not(decl.example, undefined, `${path} needs an example`);
    t.true(decl.type.safeParse(decl.default).success, `${path}: its default does not fit its type`);
    t.true(decl.type.safeParse(decl.example).success, `${path}: its example does not fit its type`);
  }
});

test("docs/options.md is current (npm run docs regenerates it)", async (t) => {
  const expected = markdownReference(optionDocs(await baseDeclarations()));
  t.is(await readFile(join(REPO, "docs/options.md"), "utf8"), expected);
});

test("schemas/profile.schema.json is current (npm run docs regenerates it)", async (t) => {
  const expected = profileJsonSchema(optionDocs(await baseDeclarations()));
  t.deepEqual(JSON.parse(await readFile(join(REPO, "schemas/profile.schema.json"), "utf8")), expected);
});

test("the profile JSON Schema describes each option with its type and default", async (t) => {
  const schema = profileJsonSchema(optionDocs(await baseDeclarations())) as { properties: Record<string, { properties: Record<string, { properties: Record<string, Record<string, unknown>> }> }> };
  const ringSlots = schema.properties.kernel!.properties.ipc!.properties.ringSlots!;
  t.is(ringSlots.type, "integer");
  t.is(ringSlots.default, 4096);
  t.regex(String(ringSlots.description), /64-byte slots/);
});

test("the options of a submodule's elements are documented below `<name>`, and described in the JSON Schema of the map", async (t) => {
  const docs = optionDocs(await baseDeclarations());
  const pages = docs.find((d) => d.path === "sandbox.policies.<name>.memoryPages");
  t.truthy(pages, "sandbox.policies.<name>.memoryPages is in the reference");
  t.is(pages!.default, 256);
  t.true(pages!.inElement);
  t.regex(markdownReference(docs), /\n## `sandbox\.policies\.<name>\.capabilities`\n/);
  const schema = profileJsonSchema(docs) as { properties: { sandbox: { properties: Record<string, { additionalProperties?: { properties: Record<string, Record<string, unknown>> } }> } } };
  t.false("<name>" in schema.properties.sandbox.properties.policies!, "no `<name>` property in the JSON Schema");
  const element = schema.properties.sandbox.properties.policies!.additionalProperties!.properties;
  t.is(element.memoryPages!.default, 256);
  t.regex(String(element.memoryPages!.description), /pages of memory/);
});

test("exo explain shows the value, its priority and every definition with file:line", async (t) => {
  const r = await exo(["explain", profile("edge.yaml"), "kernel.ipc.ringSlots"]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /value: 1024/);
  t.regex(r.stdout, /priority: 50 \(mkForce\)/);
  t.regex(r.stdout, /profiles\/server\.ts:\d+: 4096 +\(overridden\)/);
  t.regex(r.stdout, /profiles\/edge\.yaml:10: 1024 \[mkForce\]/);
  const json = await exo(["explain", profile("edge.yaml"), "kernel.ipc.ringSlots", "--json"]);
  const doc = JSON.parse(json.stdout) as { schema: string; value: number; definitions: unknown[] };
  t.is(doc.schema, "exo.explain/v1");
  t.is(doc.value, 1024);
  t.is(doc.definitions.length, 2);
});

test("exo explain of an unknown option suggests the right one", async (t) => {
  const r = await exo(["explain", profile("server.ts"), "kernel.ipc.ringslots"]);
  t.is(r.code, 1);
  t.regex(r.stderr, /did you mean `kernel\.ipc\.ringSlots`/);
});

test("exo options --json lists every option with the exo.options/v1 schema", async (t) => {
  const r = await exo(["options", "--json"]);
  t.is(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { schema: string; options: { path: string; type: string; declaredIn: string }[] };
  t.is(doc.schema, "exo.options/v1");
  const ring = doc.options.find((o) => o.path === "kernel.ipc.ringSlots")!;
  t.is(ring.type, "integer, 16 to 65536");
  t.is(ring.declaredIn, "modules/kernel/index.ts");
});
