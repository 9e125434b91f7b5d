// exo build --dry-run: the build graph, printed, with nothing built or written.
import test from "ava";
import { readdir } from "node:fs/promises";
import { exo, profile, tempProject } from "../helpers/exo.ts";

test("exo build --dry-run lists the derivations and --json prints the exo.plan/v1 graph, building nothing", async (t) => {
  const dir = await tempProject();
  const before = (await readdir(dir)).sort();
  const text = await exo(["build", profile("minimal.ts"), "--dry-run"], { cwd: dir });
  t.is(text.code, 0, text.stderr);
  const rows = text.stdout.trim().split("\n").map((line) => line.split("\t"));
  t.deepEqual(rows.at(-1), ["image", "image-minimal", "image"], "the image comes last: every input before its user");
  t.true(rows.some(([id]) => id === "kernel") && rows.some(([id]) => id === "pkg:init@0.1.0"));
  const json = await exo(["build", profile("minimal.ts"), "--dry-run", "--json"], { cwd: dir });
  t.is(json.code, 0, json.stderr);
  const plan = JSON.parse(json.stdout) as { schema: string; derivations: { id: string; inputs: Record<string, { node?: string }> }[]; output: string };
  t.is(plan.schema, "exo.plan/v1");
  t.is(plan.output, "image");
  t.deepEqual(plan.derivations.map((d) => d.id), rows.map(([id]) => id));
  const seen = new Set<string>();
  for (const d of plan.derivations) {
    for (const input of Object.values(d.inputs)) if (input.node) t.true(seen.has(input.node), `${d.id} comes after its input ${input.node}`);
    seen.add(d.id);
  }
  t.deepEqual((await readdir(dir)).sort(), before, "no store, no result link");
});
