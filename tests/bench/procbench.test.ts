// bench/procbench.ts and bench/linux-peer.ts without QEMU: how procbench's
// console is read, and the initramfs Debian's Linux boots (its /init speaks
// first, so the boot row can time it; its busybox must be static).
import test from "ava";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { procbenchFigures, procbenchTurns, procbenchUnavailable } from "../../bench/procbench.ts";
import { HOST_BUSYBOX, INIT_MARKER, hostBusybox, initramfs, isStaticElf } from "../../bench/linux-peer.ts";

const console_ = [
  "init: started procbench (pid 3, policy procbench@0.1.0)",
  "procbench: clock rdtsc less its own cost; rounds: 1000 syscalls",
  "procbench: rdtsc_overhead range 3..3",
  "procbench: rdtsc_overhead 3",
  "procbench: getpid 22\r",
  "procbench: mmap_page unavailable (mmap errno 38)",
  "procbench: thread_switch turns: warmed in 0 yields; the child yielded 401 times during the parent's 400",
  "procbench: thread_switch 276",
  "linux: procbench@0.1.0 (pid 6) unsupported syscall rseq",
  "procbench: fork_exec_wait 877985",
].join("\n");

test("procbench's figures are its NAME N lines, not its ranges or refusals", (t) => {
  t.deepEqual([...procbenchFigures(console_)], [["rdtsc_overhead", 3], ["getpid", 22], ["thread_switch", 276], ["fork_exec_wait", 877985]]);
});

test("a primitive the kernel refuses keeps its reason, and the switch its turns", (t) => {
  t.deepEqual([...procbenchUnavailable(console_)], [["mmap_page", "mmap errno 38"]]);
  t.is(procbenchTurns(console_), "warmed in 0 yields; the child yielded 401 times during the parent's 400");
  t.is(procbenchTurns("procbench: done"), undefined);
});

test("Linux's /init prints its marker before anything else it does", async (t) => {
  if (!existsSync(HOST_BUSYBOX)) {
    await t.throwsAsync(initramfs({}, ["true"]), { message: /busybox-static/ });
    return;
  }
  const archive = (await initramfs({ procbench: Buffer.from("x") }, ["/exo/bin/procbench"])).toString("latin1");
  t.true(archive.includes(`#!/bin/sh\necho "${INIT_MARKER}"\nmount -t proc proc /proc\n/exo/bin/procbench\n`));
  t.true(archive.includes("exo/bin/procbench\0"));
});

test("only a static x86_64 executable passes for busybox-static", async (t) => {
  t.false(isStaticElf(await readFile(process.execPath)), "node is dynamically linked");
  t.false(isStaticElf(Buffer.from("#!/bin/sh\necho not an ELF\n")));
  if (existsSync(HOST_BUSYBOX)) t.true(isStaticElf(await hostBusybox()));
});
