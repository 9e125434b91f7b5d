// `exo explain` of a namespace lists its options with values and where each
// was set; `exo options PREFIX` lists only what is below PREFIX (issue 13).
import test from "ava";
import { exo, profile } from "../helpers/exo.ts";

test("exo explain PROFILE kernel.ipc lists each option below it, its value and where it was set", async (t) => {
  const r = await exo(["explain", profile("server.ts"), "kernel.ipc"]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^kernel\.ipc\.batchSize = 32 {2}\(profiles\/server\.ts:\d+\)\n/);
  t.regex(r.stdout, /\nkernel\.ipc\.ringSlots = 4096 {2}\(profiles\/server\.ts:\d+\)\n/);
  t.regex(r.stdout, /\nkernel\.ipc\.spinIterations = \d+ {2}\(default\)\n/);
  const json = JSON.parse((await exo(["explain", profile("server.ts"), "kernel.ipc", "--json"])).stdout) as { schema: string; namespace: string; options: { option: string; value: unknown }[] };
  t.is(json.schema, "exo.explain/v1");
  t.is(json.namespace, "kernel.ipc");
  t.true(json.options.some((o) => o.option === "kernel.ipc.ringSlots" && o.value === 4096));
});

test("exo options PREFIX lists only the options below it, and a misspelt prefix gets a near one", async (t) => {
  const r = await exo(["options", "kernel.ipc"]);
  t.is(r.code, 0, r.stderr);
  const paths = r.stdout.split("\n").filter((l) => /^\S/.test(l));
  t.true(paths.length >= 3);
  t.true(paths.every((p) => p.startsWith("kernel.ipc.")), paths.join(", "));
  const wrong = await exo(["options", "kernl.ipc"]);
  t.is(wrong.code, 1);
  t.regex(wrong.stderr, /^error\[ERR_EXO_OPTION_UNKNOWN\]: no option is at or below `kernl\.ipc`\nhint: did you mean `kernel\.ipc`\?\n/);
});
