// Issue 15: a syscall fuzzer inside the guest (tests/fixtures/packages/
// syscall-fuzz). Thousands of seeded random Linux calls from forked
// children must never crash or hang the kernel, and no child may see or
// change another process's memory; a child that faults dies alone.
import test from "ava";
import { rm } from "node:fs/promises";
import { exo, fixture, tempProject } from "../helpers/exo.ts";

test("thousands of random system calls from forked children leave the kernel running and processes apart", async (t) => {
  const dir = await tempProject({ sharedStore: true });
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const r = await exo(["run", fixture("fuzz.ts"), "--timeout", "300"], { cwd: dir, timeoutMs: 330_000 });
  const out = r.stdout;
  t.regex(out, /^fuzz: seed \d+$/m, r.stderr + out);
  const counts = /^fuzz: (\d+) calls, (\d+) children faulted, (\d+) hung, isolation (\S+)$/m.exec(out);
  t.truthy(counts, r.stderr + out);
  t.true(Number(counts?.[1]) >= 5000, `at least 5000 calls: ${counts?.[0]}`);
  t.is(counts?.[4], "ok", out.split("\n").filter((l) => l.startsWith("fuzz: ISOLATION")).join("\n"));
  t.notRegex(out, /^fuzz: (FAIL|ISOLATION)/m);
  t.regex(out, /^fuzz: done$/m);
  // The kernel itself never faulted: no panic, no kernel fault line; it ended as it always does.
  t.notRegex(out, /^exo: (panic|fault)/m, out.split("\n").filter((l) => /^exo: (panic|fault|backtrace)/.test(l)).join("\n"));
  // Nor did any call hold it for long: the whole boot stays far under the run's timeout.
  const ms = Number(/kernel exited with status \d+ after (\d+) ms/.exec(r.stderr)?.[1]);
  t.true(ms < 90_000, `the kernel ran ${ms} ms: a call that holds the CPU for long is a hang too`);
  t.regex(out, /^init: syscall-fuzz exited with status 0$/m);
  t.regex(out, /^exo: init exited with status 0$/m);
  t.is(r.code, 0, r.stderr);
});
