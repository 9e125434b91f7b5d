// A plain boot of the server kernel (no test mode): the bring-up lines of
// every subsystem, then the first user process, which greets and exits.
import test from "ava";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { exo, profile, tempProject } from "../helpers/exo.ts";

test("the server kernel brings up memory, traps, timer and scheduler, then runs its first user process", async (t) => {
  const dir = await tempProject();
  const r = await exo(["run", profile("server.ts"), "--timeout", "60"], { cwd: dir });
  t.is(r.code, 0, r.stderr + r.stdout);
  const order = [
    /^exo: booting server \(x86_64\)$/m,
    /^exo: memory: \d+ KiB free in \d+ regions, kernel image \d+ KiB$/m,
    /^exo: memory: isolation (compat \(no PKU\)|mpk \(PKU\))$/m,
    /^exo: fpu: lazy \(CR0\.TS and #NM\)$/m,
    /^exo: timer: pit every 4000 us, tsc \d+ MHz$/m,
    /^exo: sched: predictive, alpha 0\.30, timeslice 4000 us$/m,
    /^exo: boot complete$/m,
    /^exo: init: hello from user mode$/m,
    /^exo: init exited with status 1$/m,
  ];
  let at = 0;
  for (const line of order) {
    const m = line.exec(r.stdout.slice(at));
    t.truthy(m, `${line} after offset ${at}:\n${r.stdout}`);
    if (m) at += m.index + m[0].length;
  }
  t.notRegex(r.stdout, /EXO-TEST|EXO-BENCH|panic/);
});

test("the server kernel ELF stays within 256 KiB, with its self-tests too", async (t) => {
  const dir = await tempProject();
  for (const file of [profile("server.ts"), fileURLToPath(new URL("fixtures/server-selftest.ts", import.meta.url))]) {
    const r = await exo(["build", file, "--json"], { cwd: dir });
    t.is(r.code, 0, r.stderr);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { id?: string; path?: string });
    const kernel = events.find((e) => e.id === "kernel" && e.path !== undefined);
    t.truthy(kernel, r.stdout);
    const size = (await stat(join(dir, "store/v1/paths", kernel?.path ?? "", "kernel.elf"))).size;
    t.true(size > 0 && size <= 256 * 1024, `kernel.elf is ${size} bytes`);
  }
});
