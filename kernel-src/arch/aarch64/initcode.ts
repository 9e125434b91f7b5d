// arch/aarch64/initcode.S: the user program built into the kernel image for
// the self-tests and benchmarks (xv6's initcode.S); systems run ELF programs
// from the initrd (core/uproc.c, core/elf.c). Position-independent: the
// kernel copies it to USER_BASE in each process. What it does is chosen by
// its first argument (x0): say hello, fault, make one syscall, or time a
// syscall in a loop. Syscalls missing from the tiers are left out. Exo's ABI
// here: the number in x8, arguments in x0-x2, SVC #0, the result in x0.
import type { KernelTemplateInput } from "../../input.ts";
import { syscallTiers } from "../../features.ts";
import { emit, type Template } from "../../template.ts";
import { USER_BASE } from "./memlayout.ts";
import { USER_MODES } from "../../core/initcode-modes.ts";

const source = "arch/aarch64/initcode.ts";


export const initcode: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    const built = new Set(syscallTiers(k).flatMap((t) => t.syscalls.map((s) => s.name)));
    const options = ["kernel.syscalls.hot", "kernel.syscalls.warm", "kernel.syscalls.cold"];
    const summary = "The built-in user program: hello (write, getpid, exit), a fault, one syscall, or a timed syscall loop.";
    return emit({ source, path: "arch/aarch64/initcode.S", summary, options }, (w) => {
      w.line('#include "memlayout.h"', '#include "sysnum.h"');
      w.blank();
      w.comment("Copied, never run in place: it sits with the read-only data.");
      w.line(".section .rodata", ".p2align 3", ".globl initcode_start", ".globl initcode_end");
      w.line("initcode_start:").indent(() => {
        for (const [mode, n] of Object.entries(USER_MODES)) w.line(`cmp x0, #${n}`, `b.eq ${mode}`);
        w.line("b done");
      });
      w.comment("hello: greet on the console, then exit with our pid.");
      w.line("hello:").indent(() => {
        if (built.has("write")) w.line("mov x8, #SYS_write", "mov x0, #1", "adr x1, msg", "mov x2, #(msg_end - msg)", "svc #0");
        if (built.has("getpid")) w.line("mov x8, #SYS_getpid", "svc #0");
        else w.line("mov x0, #0");
        w.line("b done");
      });
      w.comment("fault: read kernel memory (the image, in TTBR1's half), which EL0 cannot; the kernel kills us.");
      w.line("fault:").indent(() => w.line("movz x9, #0xffff, lsl #48", "movk x9, #(KERNEL_LOAD_ADDR >> 16), lsl #16", "ldr x0, [x9]", "b done"));
      w.comment("syscall: syscall number x1 with (1, msg, length of msg); exit with its result.");
      w.line("syscall:").indent(() => w.line("mov x8, x1", "mov x0, #1", "adr x1, msg", "mov x2, #(msg_end - msg)", "svc #0", "b done"));
      w.comment(
        "bench: syscall x1 in 5 rounds of 200; exit with the cycles (PMCCNTR_EL0) per call",
        "of the fastest round, which no timer tick crossed. x19-x28 survive syscalls.",
      );
      w.line("bench:").indent(() => w.line("mov x19, x1", "mov x22, #-1", "mov x20, #5"));
      w.line("2:").indent(() => w.line("mov x21, #200", "isb", "mrs x23, pmccntr_el0"));
      w.line("1:").indent(() => {
        w.line("mov x8, x19", "svc #0", "subs x21, x21, #1", "b.ne 1b");
        w.line("isb", "mrs x0, pmccntr_el0", "sub x0, x0, x23", "cmp x0, x22", "csel x22, x0, x22, lo", "subs x20, x20, #1", "b.ne 2b");
        w.line("mov x9, #200", "udiv x0, x22, x9", "b done");
      });
      w.comment("memory: mmap 8 KiB, write both pages, munmap; exit with their sum (85), or touch the unmapped pages first when x1 is not 0.");
      w.line("memory:").indent(() => {
        if (built.has("mmap") && built.has("munmap")) {
          w.line("mov x24, x1", "mov x8, #SYS_mmap", "mov x0, #0", "mov x1, #8192", "svc #0", "tbnz x0, #63, done");
          w.line("mov x19, x0", "mov x9, #42", "str x9, [x19]", "mov x9, #43", "add x10, x19, #PGSIZE", "str x9, [x10]", "ldr x20, [x19]", "ldr x9, [x10]", "add x20, x20, x9");
          w.line("mov x8, #SYS_munmap", "mov x0, x19", "mov x1, #8192", "svc #0", "cbz x24, 3f", "ldr x9, [x19]");
        } else {
          w.line("mov x20, #0");
        }
      });
      w.line("3:").indent(() => w.line("mov x0, x20", "b done"));
      w.comment("badptr: write from an address in the window that is not mapped; exit with the result (-EFAULT).");
      w.line("badptr:").indent(() => {
        if (built.has("write")) w.line("mov x8, #SYS_write", "mov x0, #1", `mov x1, #0x${(USER_BASE + 0x100000).toString(16)} /* USER_BASE + 1 MiB */`, "mov x2, #16", "svc #0");
        w.line("b done");
      });
      w.comment("send: send msg on channel x1; exit with the result.");
      w.line("send:").indent(() => {
        if (built.has("ipc_send")) w.line("mov x8, #SYS_ipc_send", "mov x0, x1", "adr x1, msg", "mov x2, #(msg_end - msg)", "svc #0");
        w.line("b done");
      });
      w.comment("recv: receive from channel x1 into the stack; exit with the length, or -2 if it is not msg.");
      w.line("recv:").indent(() => {
        if (built.has("ipc_recv")) {
          w.line("sub sp, sp, #64", "mov x8, #SYS_ipc_recv", "mov x0, x1", "mov x1, sp", "mov x2, #64", "svc #0");
          w.line("ldr x9, [sp]", "ldr x10, msg", "cmp x9, x10", "b.eq done", "mov x0, #-2");
        }
        w.line("b done");
      });
      w.comment("regs: the register check is x86_64's (its hot tier saves nothing around some calls); here every syscall restores a full frame. Exit -95.");
      w.line("regs:").indent(() => w.line("mov x0, #-95", "b done"));
      w.comment("spin: count x1 down to 0 without a syscall, so only the timer can take the CPU away; exit 0.");
      w.line("spin:").indent(() => w.line("mov x9, x1", "mov x0, #0"));
      w.line("4:").indent(() => w.line("cbz x9, done", "sub x9, x9, #1", "b 4b"));
      w.comment(built.has("exit") ? "done: exit with x0." : "done: there is no exit syscall in the tiers, so fault; the kernel kills us.");
      w.line("done:").indent(() => {
        if (built.has("exit")) w.line("mov x8, #SYS_exit", "svc #0");
        w.line("udf #0");
      });
      w.indent(() => w.line(".p2align 3"));
      w.line("msg:").indent(() => w.line('.ascii "exo: init: hello from user mode\\n"'));
      w.line("msg_end:", "initcode_end:");
    });
  },
};
