// arch/x86_64/initcode.S: the user program built into the kernel image for
// the self-tests and benchmarks (xv6's initcode.S); systems run ELF programs
// from the initrd (core/uproc.c, core/elf.c). Position-independent: the
// kernel copies it to USER_BASE in each process. What it does is chosen by
// its first argument (RDI): say hello, fault, make one syscall, or time a
// syscall in a loop. Syscalls missing from the tiers are left out.
import type { KernelTemplateInput } from "../../input.ts";
import { USER_MODES } from "../../core/initcode-modes.ts";
import { syscallTiers } from "../../features.ts";
import { emit, type Template } from "../../template.ts";

const source = "arch/x86_64/initcode.ts";


export const initcode: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    const built = new Set(syscallTiers(k).flatMap((t) => t.syscalls.map((s) => s.name)));
    const options = ["kernel.syscalls.hot", "kernel.syscalls.warm", "kernel.syscalls.cold"];
    const summary = "The built-in user program: hello (write, getpid, exit), a fault, one syscall, or a timed syscall loop.";
    return emit({ source, path: "arch/x86_64/initcode.S", summary, options }, (w) => {
      w.line('#include "memlayout.h"', '#include "sysnum.h"');
      w.blank();
      w.comment("Copied, never run in place: it sits with the read-only data.");
      w.line(".section .rodata", ".globl initcode_start", ".globl initcode_end");
      w.line("initcode_start:").indent(() => {
        for (const [mode, n] of Object.entries(USER_MODES)) w.line(`cmp $${n}, %rdi`, `je ${mode}`);
        w.line("jmp done");
      });
      w.comment("hello: greet on the console, then exit with our pid.");
      w.line("hello:").indent(() => {
        if (built.has("write")) w.line("mov $SYS_write, %eax", "mov $1, %edi", "lea msg(%rip), %rsi", "mov $(msg_end - msg), %edx", "syscall");
        if (built.has("getpid")) w.line("mov $SYS_getpid, %eax", "syscall", "mov %rax, %rdi");
        else w.line("xor %edi, %edi");
        w.line("jmp done");
      });
      w.comment("fault: read kernel memory (the image, in the kernel's half), which user mode cannot; the kernel kills us.");
      w.line("fault:").indent(() => w.line("movabs (KERNBASE + KERNEL_LOAD_ADDR), %rax", "jmp done"));
      w.comment("syscall: syscall number RSI with (1, msg, length of msg); exit with its result.");
      w.line("syscall:").indent(() => {
        w.line("mov %rsi, %rax", "mov $1, %edi", "lea msg(%rip), %rsi", "mov $(msg_end - msg), %edx", "syscall", "mov %rax, %rdi", "jmp done");
      });
      w.comment(
        "bench: syscall RSI in 5 rounds of 200; exit with the TSC cycles per call of the",
        "fastest round, which no timer tick crossed. RBX, R12-R15 survive syscalls.",
      );
      w.line("bench:").indent(() => w.line("mov %rsi, %r12", "mov $-1, %r15", "mov $5, %ebx"));
      w.line("2:").indent(() => w.line("mov $200, %r13d", "rdtsc", "shl $32, %rdx", "or %rdx, %rax", "mov %rax, %r14"));
      w.line("1:").indent(() => {
        w.line("mov %r12, %rax", "syscall", "dec %r13d", "jnz 1b");
        w.line("rdtsc", "shl $32, %rdx", "or %rdx, %rax", "sub %r14, %rax", "cmp %r15, %rax", "cmovb %rax, %r15", "dec %ebx", "jnz 2b");
        w.line("mov %r15, %rax", "xor %edx, %edx", "mov $200, %ecx", "div %rcx", "mov %rax, %rdi", "jmp done");
      });
      w.comment("memory: mmap 8 KiB, write both pages, munmap; exit with their sum (85), or touch the unmapped pages first when RSI is not 0.");
      w.line("memory:").indent(() => {
        if (built.has("mmap") && built.has("munmap")) {
          w.line("mov %rsi, %r15", "mov $SYS_mmap, %eax", "xor %edi, %edi", "mov $8192, %esi", "syscall", "mov %rax, %rdi", "test %rax, %rax", "js done");
          w.line("mov %rax, %r12", "movq $42, (%r12)", "movq $43, PGSIZE(%r12)", "mov (%r12), %rbx", "add PGSIZE(%r12), %rbx");
          w.line("mov $SYS_munmap, %eax", "mov %r12, %rdi", "mov $8192, %esi", "syscall", "test %r15, %r15", "jz 2f", "mov (%r12), %rax");
        } else {
          w.line("xor %ebx, %ebx");
        }
      });
      w.line("2:").indent(() => w.line("mov %rbx, %rdi", "jmp done"));
      w.comment("badptr: write from an address in the window that is not mapped; exit with the result (-EFAULT).");
      w.line("badptr:").indent(() => {
        if (built.has("write")) w.line("mov $SYS_write, %eax", "mov $1, %edi", "mov $0x40100000, %rsi", "mov $16, %edx", "syscall", "mov %rax, %rdi");
        w.line("jmp done");
      });
      w.comment("send: send msg on channel RSI; exit with the result.");
      w.line("send:").indent(() => {
        if (built.has("ipc_send")) w.line("mov $SYS_ipc_send, %eax", "mov %rsi, %rdi", "lea msg(%rip), %rsi", "mov $(msg_end - msg), %edx", "syscall", "mov %rax, %rdi");
        w.line("jmp done");
      });
      w.comment("recv: receive from channel RSI into the stack; exit with the length, or -2 if it is not msg.");
      w.line("recv:").indent(() => {
        if (built.has("ipc_recv")) {
          w.line("sub $64, %rsp", "mov $SYS_ipc_recv, %eax", "mov %rsi, %rdi", "mov %rsp, %rsi", "mov $64, %edx", "syscall", "mov %rax, %rdi");
          w.line("mov (%rsp), %rcx", "cmp msg(%rip), %rcx", "je done", "mov $-2, %rdi");
        }
        w.line("jmp done");
      });
      w.comment("spin: count RSI down to 0 without a syscall, so only the timer can take the CPU away; exit 0.");
      w.line("spin:").indent(() => w.line("mov %rsi, %rcx", "xor %edi, %edi"));
      w.line("3:").indent(() => w.line("test %rcx, %rcx", "jz done", "dec %rcx", "jmp 3b"));
      w.comment(
        "regs: every register but RAX, RCX and R11 set, then the null syscall twice",
        "(the first of a process leaves the slow way) and getpid (if built): exit 0 if",
        "they all came back, else the number of the first that changed (1 RBX ... 12 R15).",
      );
      const kept = ["rbx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10", "r12", "r13", "r14", "r15"] as const;
      w.line("regs:").indent(() => {
        w.line(...kept.map((r, i) => `mov $${0x5a5a0000 + i + 1}, %${r}`));
        w.line("mov $SYS_null, %eax", "syscall /* a process's first syscall takes the slow way out */", "mov $SYS_null, %eax", "syscall");
        if (built.has("getpid")) w.line("mov $SYS_getpid, %eax", "syscall");
        w.line(...kept.flatMap((r, i) => [`cmp $${0x5a5a0000 + i + 1}, %${r}`, `mov $${i + 1}, %eax`, "jne 6f"]));
        w.line("xor %eax, %eax");
      });
      w.line("6:").indent(() => w.line("mov %rax, %rdi", "jmp done"));
      w.comment(built.has("exit") ? "done: exit with RDI." : "done: there is no exit syscall in the tiers, so fault; the kernel kills us.");
      w.line("done:").indent(() => {
        if (built.has("exit")) w.line("mov $SYS_exit, %eax", "syscall");
        w.line("ud2");
      });
      w.line("msg:").indent(() => w.line('.ascii "exo: init: hello from user mode\\n"'));
      w.line("msg_end:", "initcode_end:");
    });
  },
};
