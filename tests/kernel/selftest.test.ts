// Real QEMU boots of kernels built with their in-kernel self-tests
// (`exo run --selftest`): every EXO-TEST line must say ok, and every test the
// build should contain (selftestNames, from the profile's kernel config) must
// have reported, in order.
import test from "ava";
import { fileURLToPath } from "node:url";
import { selftestNames } from "../../kernel-src/core/selftest.ts";
import { evaluateProfile } from "../../generator/eval/index.ts";
import { exo, profile, tempProject } from "../helpers/exo.ts";

const fixture = (name: string): string => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));

interface TestLine {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** The EXO-TEST lines of a serial console, by name (the regex generator/run/test-lines.ts reads them with). */
function testLines(stdout: string): Map<string, TestLine> {
  const out = new Map<string, TestLine>();
  for (const m of stdout.matchAll(/^EXO-TEST (\S+) (ok|FAIL)(?: (.*))?$/gm)) {
    out.set(m[1]!, { name: m[1]!, ok: m[2] === "ok", detail: m[3] ?? "" });
  }
  return out;
}

/** Boot `profilePath` with its self-tests; `expected`: the tests its build holds, in the order they run. */
async function selftest(profilePath: string) {
  const dir = await tempProject({ sharedStore: true });
  const { config } = await evaluateProfile(profilePath);
  const expected = selftestNames({ arch: config.system.arch, kernel: { ...config.kernel, testMode: "selftest" } });
  const r = await exo(["run", profilePath, "--selftest", "--timeout", "60"], { cwd: dir });
  return { ...r, lines: testLines(r.stdout), expected };
}

test("the server kernel passes every self-test, and each expected test reports", async (t) => {
  const r = await selftest(profile("server.ts"));
  t.is(r.code, 0, r.stderr + r.stdout);
  for (const name of r.expected) t.true(r.lines.get(name)?.ok, `${name}: ${r.lines.get(name)?.detail ?? "missing"}`);
  for (const line of r.lines.values()) t.true(line.ok, `${line.name} FAIL ${line.detail}`);
  t.deepEqual([...r.lines.keys()], r.expected);
  t.true(r.expected.includes("ring_blocking") && r.expected.includes("user_spawn"), "the server builds IPC and spawn, and their tests");
  t.regex(r.stdout, /exo: memory: isolation (compat \(no PKU\)|mpk \(PKU\))/);
  t.regex(r.stderr + r.stdout, new RegExp(`selftest: ${r.expected.length} passed, 0 failed`));
  // The flipped fixture below changes these; here they are the server's values.
  t.is(r.lines.get("ring_overflow")?.detail, "capacity 4096");
  t.regex(r.lines.get("sched_order")?.detail ?? "", /alpha_q16 19661 ema 1000\+2000 -> 1300$/);
  t.is(r.lines.get("syscall_tiers")?.detail, "unknown: -ENOSYS; null: 0");
  // A user fault is reported and survived.
  t.regex(r.stdout, /^exo: proc \d+ killed: exception 14 at rip 0x[0-9a-f]+ cr2 0xffffffff80100000$/m);
  t.regex(r.stdout, /^exo: init: hello from user mode$/m);
  // usertest's children: one killed spinning in user mode, one killed while blocked in ipc_recv.
  t.is([...r.stdout.matchAll(/^exo: proc \d+ \(bin\/usertest\) killed by its parent$/gm)].length, 2);
  t.regex(r.lines.get("elf_exec")?.detail ?? "", /^bin\/usertest \d+ B exits 7; .*-ENOEXEC$/);
});

test("flipped options show in behaviour: 16-slot rings overflow at 16, alpha 0.5 moves the EMA halfway, a removed syscall is ENOSYS", async (t) => {
  const r = await selftest(fixture("flipped.ts"));
  t.is(r.code, 0, r.stderr + r.stdout);
  t.regex(r.stdout, /exo: ipc: fusion rings, 16 slots x 64 B/);
  t.is(r.lines.get("ring_overflow")?.detail, "capacity 16");
  t.regex(r.lines.get("sched_order")?.detail ?? "", /alpha_q16 32768 ema 1000\+2000 -> 1500$/);
  t.is(r.lines.get("ring_blocking")?.detail, "messages 37");
  t.is(r.lines.get("syscall_tiers")?.detail, "kill unknown: -ENOSYS; null: 0");
  t.false(r.lines.has("user_spawn"), "without kill, the spawn/wait/kill test is left out");
  t.deepEqual([...r.lines.keys()], r.expected);
  t.true(r.lines.get("user_files")?.ok);
  for (const line of r.lines.values()) t.true(line.ok, `${line.name} FAIL ${line.detail}`);
});

test("the simple alternatives (round-robin, eager FPU, no thread cache, no IPC) pass their own self-tests", async (t) => {
  const r = await selftest(fixture("simple-kernel.ts"));
  t.is(r.code, 0, r.stderr + r.stdout);
  t.deepEqual([...r.lines.keys()], r.expected);
  for (const line of r.lines.values()) t.true(line.ok, `${line.name} FAIL ${line.detail}`);
  t.is(r.lines.get("sched_order")?.detail, "round-robin fifo");
  t.regex(r.stdout, /exo: fpu: eager/);
  t.notRegex(r.stdout, /fusion|EXO-TEST ring_|alloc_thread_cache/);
});
