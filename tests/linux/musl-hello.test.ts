// Issue 15, step 1: an unmodified Linux C program, built with Debian's
// musl-gcc as a package (build.toolchain musl), runs on Exo under the kernel's
// Linux ABI: the System V initial stack (argv, envp, auxv), TLS through
// arch_prctl, brk and mmap behind malloc, stdio through writev and readv,
// clock_gettime, uname, and the sandbox's paths on open.
import test from "ava";
import { exo, fixture, tempProject } from "../helpers/exo.ts";

test("a musl-built C program runs under the Linux ABI and prints what the kernel told it", async (t) => {
  const dir = await tempProject({ sharedStore: true });
  const r = await exo(["run", fixture("musl-hello.ts"), "--timeout", "90"], { cwd: dir });
  t.is(r.code, 0, r.stderr + r.stdout);
  const lines = r.stdout.split("\n").filter((l) => l.startsWith("musl-hello: "));
  t.deepEqual(lines, [
    "musl-hello: argc 1 argv[0] /exo/bin/musl-hello",
    "musl-hello: format -42 str 3.142 beef",
    "musl-hello: pid 1",
    "musl-hello: env PATH=/exo/bin",
    "musl-hello: auxv pagesz 4096 entry _start phnum set random set uid 0",
    "musl-hello: tls 6 stack high",
    "musl-hello: malloc small ok big mmap",
    "musl-hello: clock monotonic",
    "musl-hello: uname Exo x86_64",
    "musl-hello: packages.json names musl-hello",
    "musl-hello: outside its paths denied (errno EPERM)",
    "musl-hello: enosys yes",
    "musl-hello: done",
  ], r.stdout);
  // Its one denial names the file. The only ENOSYS lines are the two it asked for, each once: musl itself needed nothing missing.
  t.regex(r.stdout, /^sandbox: musl-hello@0\.1\.0 \(pid \d+\) denied fs\.read: open \/etc\/exo\/services$/m);
  t.deepEqual(r.stdout.match(/^linux: .*unsupported syscall.*$/gm)?.map((l) => l.replace(/\(pid \d+\)/, "(pid N)")), [
    "linux: musl-hello@0.1.0 (pid N) unsupported syscall sysinfo",
    "linux: musl-hello@0.1.0 (pid N) unsupported syscall 999",
  ], r.stdout);
  t.regex(r.stdout, /^init: musl-hello exited with status 0$/m);
  t.regex(r.stdout, /^init: 2 services, 0 failed$/m);
});
