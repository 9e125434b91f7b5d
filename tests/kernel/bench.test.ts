// A real QEMU boot of the server kernel built with its benchmarks
// (`exo run --bench`, QEMU -icount): every expected EXO-BENCH line is there
// with a positive figure.
import test, { type ExecutionContext } from "ava";
import { exo, fixture, profile, tempProject } from "../helpers/exo.ts";

test("the server kernel reports every benchmark with a positive figure", async (t) => {
  const dir = await tempProject({ sharedStore: true });
  const r = await exo(["run", profile("server.ts"), "--bench", "--timeout", "60"], { cwd: dir });
  t.is(r.code, 0, r.stderr + r.stdout);
  t.notRegex(r.stdout, /killed|panic/, "no benchmark process faults");
  const figures = new Map([...r.stdout.matchAll(/^EXO-BENCH (\S+) (\d+(?:\.\d+)?) (\S+)$/gm)].map((m) => [m[1]!, { value: Number(m[2]), unit: m[3] }]));
  for (const name of ["boot_to_ready", "boot_to_user", "ctx_switch", "thread_cache_alloc_free", "null_syscall", "enosys_syscall", "getpid", "ring_oneway", "ring_batched"]) {
    const f = figures.get(name);
    t.truthy(f, `${name} missing`);
    t.true((f?.value ?? 0) > 0, `${name} = ${f?.value}`);
    t.is(f?.unit, "cycles", name);
  }
});

/** The EXO-BENCH figures of one `exo run --bench`, by name. */
async function benchFigures(t: ExecutionContext, profilePath: string, dir: string): Promise<Map<string, number>> {
  const r = await exo(["run", profilePath, "--bench", "--timeout", "60"], { cwd: dir });
  t.is(r.code, 0, r.stderr + r.stdout);
  return new Map([...r.stdout.matchAll(/^EXO-BENCH (\S+) (\d+(?:\.\d+)?) (\S+)$/gm)].map((m) => [m[1]!, Number(m[2])]));
}

test("a syscall's tier is its dispatch path: getpid costs least hot, more warm, most cold", async (t) => {
  const dir = await tempProject({ sharedStore: true });
  const runs = await Promise.all([profile("server.ts"), fixture("getpid-warm.ts"), fixture("getpid-cold.ts")].map((p) => benchFigures(t, p, dir)));
  const [hot, warm, cold] = runs.map((f) => f.get("getpid") ?? Number.NaN) as [number, number, number];
  t.true(hot < warm && warm < cold, `getpid hot ${hot}, warm ${warm}, cold ${cold} (TSC under -icount: instructions, not cycles)`);
});
