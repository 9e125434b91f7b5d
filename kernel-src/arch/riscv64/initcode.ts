// arch/riscv64/initcode.S: the user program built into the kernel image for
// the self-tests and benchmarks (xv6's initcode.S); systems run ELF programs
// from the initrd. Position-independent (only PC-relative references): the
// kernel copies it to USER_BASE in each process. What it does is chosen by
// its first argument (a0): the same modes as x86_64's, whose numbers
// core/uproc.c and the tests use. Syscalls missing from the tiers are left out.
import type { KernelTemplateInput } from "../../input.ts";
import { syscallTiers } from "../../features.ts";
import { emit, type Template } from "../../template.ts";
import { USER_MODES } from "../../core/initcode-modes.ts";
import { KERNEL_LINK_ADDR } from "./memlayout.ts";

const source = "arch/riscv64/initcode.ts";

/** What hello writes (clang 14's li takes no label difference, so its length is written out). */
const MSG = "exo: init: hello from user mode\n";

export const initcode: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    const built = new Set(syscallTiers(k).flatMap((t) => t.syscalls.map((s) => s.name)));
    const options = ["kernel.syscalls.hot", "kernel.syscalls.warm", "kernel.syscalls.cold"];
    const summary = "The built-in user program: hello (write, getpid, exit), a fault, one syscall, or a timed syscall loop.";
    return emit({ source, path: "arch/riscv64/initcode.S", summary, options }, (w) => {
      w.line('#include "memlayout.h"', '#include "sysnum.h"');
      w.blank();
      w.comment("Copied, never run in place: it sits with the read-only data. Syscalls: a7 the number, a0-a2 the arguments, the result in a0.");
      w.line(".section .rodata", ".globl initcode_start", ".globl initcode_end", ".p2align 3");
            w.line("initcode_start:").indent(() => w.line("j dispatch", ".p2align 3"));
      w.line("msg:").indent(() => w.line(`.ascii "${MSG.replace("\n", "\\n")}"`));
      w.line("msg_end:").indent(() => w.line(".p2align 2"));
      w.line("dispatch:").indent(() => {
        for (const [mode, n] of Object.entries(USER_MODES)) w.line(`li t0, ${n}`, `beq a0, t0, ${mode}`);
        w.line("j done");
      });
      const write = (what: string) => w.line("li a7, SYS_write", "li a0, 1", `lla a1, ${what}`, `li a2, ${MSG.length} /* its length */`, "ecall");
      w.comment("hello: greet on the console, then exit with our pid.");
      w.line("hello:").indent(() => {
        if (built.has("write")) write("msg");
        if (built.has("getpid")) w.line("li a7, SYS_getpid", "ecall");
        else w.line("li a0, 0");
        w.line("j done");
      });
      w.comment("fault: read kernel memory (the image, in the kernel's half), which user mode cannot; the kernel kills us.");
      w.line("fault:").indent(() => w.line(`li t0, 0x${KERNEL_LINK_ADDR.toString(16)} /* KERNBASE + KERNEL_LOAD_ADDR */`, "ld a0, 0(t0)", "j done"));
      w.comment("syscall: syscall number a1 with (1, msg, length of msg); exit with its result.");
      w.line("syscall:").indent(() => w.line("mv a7, a1", "li a0, 1", "lla a1, msg", `li a2, ${MSG.length} /* msg's length */`, "ecall", "j done"));
      w.comment(
        "bench: syscall a1 in 5 rounds of 200; exit with the time CSR ticks per call of the",
        "fastest round, which no timer tick crossed. s-registers survive syscalls.",
      );
      w.line("bench:").indent(() => w.line("mv s1, a1", "li s2, -1", "li s3, 5"));
      w.line("2:").indent(() => w.line("li s4, 200", "rdcycle s5"));
      w.line("1:").indent(() => {
        w.line("mv a7, s1", "ecall", "addi s4, s4, -1", "bnez s4, 1b");
        w.line("rdcycle t0", "sub t0, t0, s5", "bgeu t0, s2, 3f", "mv s2, t0");
      });
      w.line("3:").indent(() => w.line("addi s3, s3, -1", "bnez s3, 2b", "li t0, 200", "divu a0, s2, t0", "j done"));
      w.comment("memory: mmap 8 KiB, write both pages, munmap; exit with their sum (85), or touch the unmapped pages first when a1 is not 0.");
      w.line("memory:").indent(() => {
        if (built.has("mmap") && built.has("munmap")) {
          w.line("mv s1, a1", "li a7, SYS_mmap", "li a0, 0", "li a1, 8192", "ecall", "bltz a0, done");
          w.line("mv s2, a0", "li t0, 42", "sd t0, 0(s2)", "li t0, 43", "li t1, PGSIZE", "add t1, s2, t1", "sd t0, 0(t1)", "ld s3, 0(s2)", "ld t0, 0(t1)", "add s3, s3, t0");
          w.line("li a7, SYS_munmap", "mv a0, s2", "li a1, 8192", "ecall", "beqz s1, 4f", "ld t0, 0(s2)");
        } else {
          w.line("li s3, 0");
        }
      });
      w.line("4:").indent(() => w.line("mv a0, s3", "j done"));
      w.comment("badptr: write from an address in the window that is not mapped; exit with the result (-EFAULT).");
      w.line("badptr:").indent(() => {
        if (built.has("write")) w.line("li a7, SYS_write", "li a0, 1", "li a1, 0x40100000", "li a2, 16", "ecall");
        w.line("j done");
      });
      w.comment("send: send msg on channel a1; exit with the result.");
      w.line("send:").indent(() => {
        if (built.has("ipc_send")) w.line("li a7, SYS_ipc_send", "mv a0, a1", "lla a1, msg", `li a2, ${MSG.length} /* msg's length */`, "ecall");
        w.line("j done");
      });
      w.comment("recv: receive from channel a1 into the stack; exit with the length, or -2 if it is not msg.");
      w.line("recv:").indent(() => {
        if (built.has("ipc_recv")) {
          w.line("addi sp, sp, -64", "li a7, SYS_ipc_recv", "mv a0, a1", "mv a1, sp", "li a2, 64", "ecall");
          w.line("ld t0, 0(sp)", "ld t1, msg", "beq t0, t1, done", "li a0, -2");
        }
        w.line("j done");
      });
      w.comment("regs: the register check is x86_64's (its hot tier saves nothing around some calls); here every syscall restores a full frame. Exit -95.");
      w.line("regs:").indent(() => w.line("li a0, -95", "j done"));
      w.comment("spin: count a1 down to 0 without a syscall, so only the timer can take the CPU away; exit 0.");
      w.line("spin:").indent(() => w.line("mv t0, a1", "li a0, 0"));
      w.line("5:").indent(() => w.line("beqz t0, done", "addi t0, t0, -1", "j 5b"));
      w.comment(built.has("exit") ? "done: exit with a0." : "done: there is no exit syscall in the tiers, so fault; the kernel kills us.");
      w.line("done:").indent(() => {
        if (built.has("exit")) w.line("li a7, SYS_exit", "ecall");
        w.line("unimp");
      });
      w.line("initcode_end:");
    });
  },
};
