// Two `exo switch` at once: both recorded, with distinct numbers, and the
// pointer names one of them.
import test from "ava";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { exo } from "../helpers/exo.ts";
import { generationsProject } from "./setup.ts";

test("two switches at once record two generations with distinct numbers", async (t) => {
  const dir = await generationsProject();
  const runs = await Promise.all([exo(["switch", "base.yaml", "--message", "a"], { cwd: dir }), exo(["switch", "base.yaml", "--message", "b"], { cwd: dir })]);
  for (const run of runs) t.is(run.code, 0, run.stderr);
  const list = JSON.parse((await exo(["generations", "--json"], { cwd: dir })).stdout) as { current: number; generations: { number: number; message: string }[] };
  t.deepEqual(list.generations.map((g) => g.number), [1, 2]);
  t.deepEqual(list.generations.map((g) => g.message).sort(), ["a", "b"]);
  t.true(list.current === 1 || list.current === 2);
  t.is((await readFile(join(dir, ".exo/generations/current"), "utf8")).trim(), String(list.current));
});
