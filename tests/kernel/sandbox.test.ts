// The sandbox enforced: sandbox-probe (tests/fixtures/packages/) oversteps
// its manifest's sandbox each way twice; the kernel refuses each with EPERM
// or ENOMEM and logs one line per process and capability, naming it.
import test from "ava";
import { exo, fixture, tempProject } from "../helpers/exo.ts";

test("a package is denied a file outside its paths, an unlisted peer's channel and memory past its pages, each logged once", async (t) => {
  const dir = await tempProject({ sharedStore: true });
  const r = await exo(["run", fixture("sandbox-probe.ts"), "--timeout", "90"], { cwd: dir });
  t.is(r.code, 0, r.stderr + r.stdout);
  const pid = /^init: started sandbox-probe \(pid (\d+), policy sandbox-probe@0\.1\.0\)$/m.exec(r.stdout)?.[1];
  t.truthy(pid, r.stdout);
  const who = `sandbox: sandbox-probe@0\\.1\\.0 \\(pid ${pid}\\) denied`;
  for (const [cap, detail] of [
    ["fs\\.read", "open /etc/exo/config\\.json"],
    ["fs\\.write", "open /etc/exo/services for writing"],
    ["ipc", "channel 0 is used by echo-server"],
    ["memory\\.map", "past 4 pages"],
  ] as const) {
    t.is(r.stdout.match(new RegExp(`^${who} ${cap}: ${detail}$`, "gm"))?.length, 1, `${cap}: ${detail}\n${r.stdout}`);
    t.is(r.stdout.match(new RegExp(`^${who} ${cap}:`, "gm"))?.length, 1, `one ${cap} denial`);
  }
  for (const line of [
    /^sandbox-probe: open \/etc\/exo\/services: 0$/m,
    /^sandbox-probe: open \/etc\/exo\/config\.json: -1$/m,
    /^sandbox-probe: open \/etc\/exo\/packages\.json: -1$/m,
    /^sandbox-probe: ipc_send on channel 0: -1$/m,
    /^sandbox-probe: ipc_send on channel 0 again: -1$/m,
    /^sandbox-probe: mmap a fifth page: -12$/m,
    /^sandbox-probe: mmap 1 page after munmap: 0$/m,
    /^sandbox-probe: 0 wrong$/m,
    /^init: sandbox-probe exited with status 0$/m,
  ]) {
    t.regex(r.stdout, line);
  }
  t.notRegex(r.stdout, /^sandbox: echo-server/m, "echo-server, which keeps to its sandbox, is denied nothing");
});
