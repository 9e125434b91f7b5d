// The boot-menu hook and the record allocator, without builds.
import test from "ava";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newestGenerations } from "../../generator/generations/boot-entries.ts";
import { addRecord, listNumbers, type NewRecord } from "../../generator/generations/record.ts";

const record = (storePath: string): NewRecord => ({
  createdAt: "2026-01-01T00:00:00.000Z",
  profile: "p.yaml",
  configHash: "0".repeat(64),
  storePath,
  message: null,
  banner: `${storePath}: features`,
  config: {},
  options: {},
  packages: {},
});

test("records added at once get distinct numbers", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "exo-gen-"));
  const added = await Promise.all(Array.from({ length: 8 }, (_, i) => addRecord(dir, record(`p${i}`))));
  t.deepEqual(added.map((r) => r.number).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8]);
  t.deepEqual(await listNumbers(dir), [1, 2, 3, 4, 5, 6, 7, 8]);
});

test("newestGenerations gives the newest N, newest first, with what a menu entry needs", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "exo-gen-"));
  for (const p of ["a", "b", "c"]) await addRecord(dir, record(p));
  t.deepEqual(await newestGenerations(dir, 2), [
    { number: 3, storePath: "c", configHash: "0".repeat(64), banner: "c: features" },
    { number: 2, storePath: "b", configHash: "0".repeat(64), banner: "b: features" },
  ]);
});
