// Issue 15: Linux processes. A musl-built C program forks (copy-on-write:
// the child's writes stay its own), pipes between processes, execs itself
// with argv, envp and a close-on-exec descriptor, reads wait4's statuses, and
// handles signals: a handler keeps the FPU state it interrupted, a mask holds
// a signal back, SIGCHLD comes, SIGTERM, SIGKILL, SIGPIPE and a fault each end
// only the child. The expected lines are what the same program prints under
// Debian's Linux.
import test from "ava";
import { rm } from "node:fs/promises";
import { exo, fixture, tempProject } from "../helpers/exo.ts";

test("a musl-built C program forks, execs, waits and handles signals as under Linux", async (t) => {
  const dir = await tempProject({ sharedStore: true });
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const r = await exo(["run", fixture("musl-proc.ts"), "--timeout", "120"], { cwd: dir });
  t.is(r.code, 0, r.stderr + r.stdout);
  const lines = r.stdout.split("\n").filter((l) => l.startsWith("musl-proc: "));
  t.deepEqual(lines, [
    "musl-proc: fork child exit 7",
    "musl-proc: fork cow parent kept its memory",
    "musl-proc: pipe round trip pong",
    "musl-proc: exec argc 5 argv1 exec-child argv2 two mark set",
    "musl-proc: exec cloexec closed yes kept yes",
    "musl-proc: execve child exit 3",
    "musl-proc: execve missing ENOENT, still running",
    "musl-proc: handler sig 10 fpu kept",
    "musl-proc: mask blocked 0 unblocked 12",
    "musl-proc: sigchld delivered",
    "musl-proc: sigterm signal 15",
    "musl-proc: sigkill wnohang 0 then signal 9",
    "musl-proc: sigpipe signal 13",
    "musl-proc: fault signal 11",
    "musl-proc: wait none ECHILD",
    "musl-proc: done",
  ], r.stdout);
  // The fault is reported and ends the child only; nothing panics, and no syscall it made is missing.
  t.regex(r.stdout, /^exo: proc \d+ killed: exception 14 at rip 0x[0-9a-f]+ cr2 0x0000000000000008$/m);
  t.notRegex(r.stdout, /panic/);
  t.notRegex(r.stdout, /^linux: .*unsupported syscall/m, r.stdout);
  t.regex(r.stdout, /^init: musl-proc exited with status 0$/m);
});
