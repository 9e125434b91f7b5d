// A plain boot of the server kernel (no test mode): the bring-up lines of
// every subsystem, then init, an ELF from the initrd, which starts the
// services of /etc/exo/services under their sandbox policies and stops them.
import test from "ava";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { exo, profile, tempProject } from "../helpers/exo.ts";

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

test("the server kernel brings up memory, traps, timer and scheduler, then runs init from the initrd", async (t) => {
  const dir = await tempProject({ sharedStore: true });
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
    /^init: pid 1, 1 service in \/etc\/exo\/services$/m,
    /^init: started echo-server \(pid 2, policy echo-server@0\.1\.0\)$/m,
    /^exo: proc 2 \(exo\/bin\/echo-server\) killed by its parent$/m,
    /^init: echo-server stopped with status 137$/m,
    /^init: 1 service, 0 failed$/m,
    /^exo: init exited with status 0$/m,
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
  const dir = await tempProject({ sharedStore: true });
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

test("init starts every package from the initrd under its sandbox policy: hello, ring-bench through echo-server", async (t) => {
  const dir = await tempProject({ sharedStore: true });
  const r = await exo(["run", fixture("services.ts"), "--timeout", "90"], { cwd: dir });
  t.is(r.code, 0, r.stderr + r.stdout);
  for (const line of [
    /^init: pid 1, 3 services in \/etc\/exo\/services$/m,
    /^init: started echo-server \(pid 2, policy echo-server@0\.1\.0\)$/m,
    /^init: started hello \(pid 3, policy hello@0\.1\.0\)$/m,
    /^init: started ring-bench \(pid 4, policy ring-bench@0\.1\.0\)$/m,
    /^echo-server: pid 2, echoing channel 0 to channel 1$/m,
    /^hello: hello from an ELF in the initrd, pid 3$/m,
    /^ring-bench: 1000 round trips through echo-server, \d+ cycles each$/m,
    /^init: hello exited with status 0$/m,
    /^init: ring-bench exited with status 0$/m,
    /^init: echo-server stopped with status 137$/m,
    /^init: 3 services, 0 failed$/m,
    /^exo: init exited with status 0$/m,
  ]) {
    t.regex(r.stdout, line);
  }
  t.notRegex(r.stdout, /^sandbox: /m, "each package's own sandbox lets it do its work");
});

test("a package whose sandbox lacks the ipc capability gets EPERM from the rings, logged once, and init reports it", async (t) => {
  const dir = await tempProject({ sharedStore: true });
  const r = await exo(["run", fixture("services-eperm.ts"), "--timeout", "90"], { cwd: dir });
  t.is(r.code, 1, "a failed service fails the run: " + r.stderr + r.stdout);
  t.regex(r.stdout, /^init: started ring-bench \(pid 4, policy ring-bench@0\.1\.0\)$/m);
  t.is(r.stdout.match(/^sandbox: ring-bench@0\.1\.0 \(pid 4\) denied ipc: ipc_send$/gm)?.length, 1, r.stdout);
  t.regex(r.stdout, /^ring-bench: round trip 0 came back wrong \(sent -1, got -1\)$/m);
  t.regex(r.stdout, /^init: ring-bench exited with status 1$/m);
  t.regex(r.stdout, /^init: 3 services, 1 failed$/m);
  t.regex(r.stdout, /^exo: init exited with status 1$/m);
});
