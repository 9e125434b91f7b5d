// "Did you mean": near names of every length, by Damerau-Levenshtein (optimal
// string alignment) distance, case aside, with truncated names; option paths
// corrected one segment at a time.
import test from "ava";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { baseDeclarations } from "../../generator/eval/reference.ts";
import { editDistance, maxEdits, suggest, suggestOptionPath, nearValues } from "../../generator/eval/suggest.ts";
import { exo, profile } from "../helpers/exo.ts";

const options = async (): Promise<string[]> => [...(await baseDeclarations()).options.keys()];

test("a swap of two neighbours is one edit (optimal string alignment)", (t) => {
  t.is(editDistance("ab", "ba"), 1);
  t.is(editDistance("ringSlost", "ringSlots"), 1);
  t.is(editDistance("kitten", "sitting"), 3);
  t.is(editDistance("ca", "abc"), 3, "optimal string alignment edits no substring twice");
  t.is(editDistance("", "abc"), 3);
  t.is(editDistance("same", "same"), 0);
});

test("the edits allowed grow with the length, from 1 to at most 3", (t) => {
  t.deepEqual(["a", "ipc", "ringSlots", "spinIterations", "bootMenuGenerations"].map(maxEdits), [1, 1, 3, 3, 3]);
  t.is(maxEdits("emaAlpha"), 2);
});

test("short names: one edit, a swap included", (t) => {
  t.deepEqual(suggest("ipx", ["ipc", "irq", "image"]), ["ipc"]);
  t.deepEqual(suggest("icp", ["ipc", "irq", "image"]), ["ipc"]);
  t.deepEqual(suggest("hto", ["hot", "warm", "cold"]), ["hot"]);
  t.deepEqual(suggest("ip", ["ipc"]), ["ipc"]);
});

test("long names: up to three edits, swaps counting one", (t) => {
  t.deepEqual(suggest("ringSlost", ["ringSlots", "batchSize"]), ["ringSlots"]);
  t.deepEqual(suggest("rnigSlost", ["ringSlots", "batchSize"]), ["ringSlots"]);
  t.deepEqual(suggest("spinItreatoins", ["spinIterations", "ringSlots"]), ["spinIterations"]);
  t.deepEqual(suggest("bootMenuGeneratoin", ["bootMenuGenerations", "bootTimeoutSeconds"]), ["bootMenuGenerations"]);
  t.deepEqual(suggest("emaAlhpa", ["emaAlpha", "policy"]), ["emaAlpha"]);
});

test("case does not count", (t) => {
  t.deepEqual(suggest("RINGSLOTS", ["ringSlots"]), ["ringSlots"]);
  t.deepEqual(suggest("Ipc", ["ipc"]), ["ipc"]);
  t.deepEqual(suggest("RingSolts", ["ringSlots"]), ["ringSlots"]);
  t.deepEqual(suggest("testmode", ["testMode", "debugExit"]), ["testMode"]);
});

test("far names suggest nothing", (t) => {
  t.deepEqual(suggest("zzz", ["ipc", "image", "kernel"]), []);
  t.deepEqual(suggest("x", ["y", "z"]), []);
  t.deepEqual(suggest("enable", ["ringSlots", "batchSize"]), []);
  // Four edits are too many however long the name: 15 letters once allowed 5.
  t.deepEqual(suggest("warmThresholdUs", ["hotThresholdUs", "normalThresholdUs"]), []);
  t.deepEqual(suggest("bootGenerations", ["bootMenuGenerations"]), []);
  t.deepEqual(suggest("lots", ["ringSlots"]), [], "a suffix must start a word of the name");
});

test("a truncated name finds the whole one, after every name within the edits allowed", (t) => {
  t.deepEqual(suggest("sched", ["scheduler", "syscalls"]), ["scheduler"]);
  t.deepEqual(suggest("slots", ["ringSlots", "policies"]), ["ringSlots"]);
  t.deepEqual(suggest("ringSlotsMax", ["ringSlots"]), ["ringSlots"]);
  t.deepEqual(suggest("ring", ["ringSlots", "rings"]), ["rings", "ringSlots"]);
});

test("sorted by distance, then by name; at most three", (t) => {
  t.deepEqual(suggest("cat", ["dog", "cut", "car", "bat", "at", "cat "]), ["at", "bat", "car"]);
  t.deepEqual(suggest("ringSlot", ["ringSlotz", "ringSlots", "RingSlot"]), ["RingSlot", "ringSlots", "ringSlotz"]);
  t.deepEqual(suggest("cat", ["cut", "cast", "cut"], 5), ["cast", "cut"], "each name once");
});

test("option paths: each segment against the names beside it", async (t) => {
  const known = await options();
  t.deepEqual(suggestOptionPath("kernel.ipc.rngSlots", known), ["kernel.ipc.ringSlots"]);
  t.deepEqual(suggestOptionPath("kernel.ipc.ringSlost", known), ["kernel.ipc.ringSlots"]);
  t.deepEqual(suggestOptionPath("kernel.icp.ringSlots", known), ["kernel.ipc.ringSlots"]);
  t.deepEqual(suggestOptionPath("kernal.ipx.rngSlots", known), ["kernel.ipc.ringSlots"]);
  t.deepEqual(suggestOptionPath("KERNEL.IPC.RINGSLOTS", known), ["kernel.ipc.ringSlots"]);
  t.deepEqual(suggestOptionPath("kernel.sched.emaAlhpa", known), ["kernel.scheduler.emaAlpha"]);
  t.deepEqual(suggestOptionPath("kernel.icp", known), ["kernel.ipc"]);
  t.deepEqual(suggestOptionPath(["kernel", "ipc", "ringSlot"], known), ["kernel.ipc.ringSlots"]);
});

test("option paths: the same name elsewhere when no segment can be corrected, and nothing when far", async (t) => {
  const known = await options();
  t.deepEqual(suggestOptionPath("kernel.ringSlots", known), ["kernel.ipc.ringSlots"]);
  t.deepEqual(suggestOptionPath("image.defaultPolicy", known), ["sandbox.defaultPolicy", "kernel.scheduler.policy"]);
  t.deepEqual(suggestOptionPath("kernel.zzz", known), []);
  t.deepEqual(suggestOptionPath("kernel.ipc.ringSlots", known), [], "a path that exists is no guess");
});

async function yamlProfile(text: string): Promise<{ file: string; done: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "exo-suggest-"));
  const file = join(dir, "profile.yaml");
  await writeFile(file, text);
  return { file, done: () => rm(dir, { recursive: true, force: true }) };
}

test("exo eval of a profile with a misspelt option suggests the right one", async (t) => {
  const p = await yamlProfile("system:\n  name: misspelt\nkernel:\n  ipc:\n    ringSlost: 1024\n");
  try {
    const r = await exo(["eval", p.file]);
    t.is(r.code, 1, r.stderr);
    t.regex(r.stderr, /profile\.yaml:5: option `kernel\.ipc\.ringSlost` does not exist/);
    t.regex(r.stderr, /hint: did you mean `kernel\.ipc\.ringSlots`\?/);
  } finally {
    await p.done();
  }
});

test("exo eval of a profile with a swapped short segment suggests the segment beside it", async (t) => {
  const p = await yamlProfile("system:\n  name: misspelt\nkernel:\n  icp:\n    ringSlots: 1024\n");
  try {
    const r = await exo(["eval", p.file]);
    t.is(r.code, 1, r.stderr);
    t.regex(r.stderr, /option `kernel\.icp` does not exist/);
    t.regex(r.stderr, /hint: did you mean `kernel\.ipc`\?/);
  } finally {
    await p.done();
  }
});

test("exo eval PROFILE OPTION.PATH corrects each segment and suggests nothing far", async (t) => {
  const r = await exo(["eval", profile("server.ts"), "kernel.ipc.rngSlots"]);
  t.is(r.code, 1, r.stderr);
  t.regex(r.stderr, /hint: did you mean `kernel\.ipc\.ringSlots`\?\n/);
  const policy = await exo(["eval", profile("server.ts"), "sandbox.policies.intt"]);
  t.is(policy.code, 1, policy.stderr);
  t.regex(policy.stderr, /hint: did you mean `sandbox\.policies\.init`\?\n/, "the keys of the configuration count, not only option paths");
  const far = await exo(["eval", profile("server.ts"), "kernel.zzz"]);
  t.is(far.code, 1, far.stderr);
  t.notRegex(far.stderr, /did you mean/);
});

test("a value outside an enum (a package name) gets the allowed values near it", (t) => {
  const issue = { code: "invalid_value", values: ["init", "echo-server", "hello", "ring-bench"] };
  t.is(nearValues(issue, "echo-sever"), '; did you mean "echo-server"?');
  t.is(nearValues(issue, "helo"), '; did you mean "hello"?');
  t.is(nearValues(issue, "postgres"), "", "nothing near");
  t.is(nearValues({ code: "invalid_type" }, "helo"), "", "only for enums");
});
