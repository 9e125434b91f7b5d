// include/arch.h: the arch contract, everything core code may ask of a port,
// in neutral names (issue 16). Core C includes this and never cpu.h, the
// loader's headers or a register's name; a port implements each entry, here
// over x86_64's instructions and files. tests/kernel-src/arch-contract.test.ts
// holds the core to it; kernel-src/README.md ("The arch contract") lists it.
import type { KernelTemplateInput } from "../../input.ts";
import { emit, type Template } from "../../template.ts";
import type { Writer } from "../../writer.ts";

const source = "arch/x86_64/arch.ts";

/** One entry of the contract: what a port must provide, then its x86_64 body (a static inline function or a declaration). */
function entry(w: Writer, what: string, code: string): void {
  w.comment(what);
  w.line(...code.split("\n"));
  w.blank();
}

function cpuEntries(w: Writer): void {
  entry(w, "A free-running cycle counter, the unit of the scheduler's statistics and of tsc_per_us.", "static inline uint64 arch_cycles(void) { return rdtsc(); }");
  entry(w, "Interrupts off, returning a token that says whether they were on.", "static inline uint64 arch_irq_save(void) { return irq_save(); }");
  entry(w, "Interrupts back as arch_irq_save found them.", "static inline void arch_irq_restore(uint64 token) { irq_restore(token); }");
  entry(w, "Interrupts on / off.", "static inline void arch_intr_on(void) { intr_on(); }\nstatic inline void arch_intr_off(void) { intr_off(); }");
  entry(w, "A hint that the CPU is spinning on a value another thread will change.", "static inline void arch_relax(void) { cpu_relax(); }");
  entry(w, "Stop the machine with status (0: success); never returns.", `void arch_halt(int status) __attribute__((noreturn));`);
}

function spaceEntries(w: Writer): void {
  entry(w, "Run on the page-table root `space` (physical) from now on.", "static inline void arch_switch_space(uint64 space) { write_cr3(space); }");
  entry(w, "The kernel's own page-table root, the space of kernel threads.", "static inline uint64 arch_kernel_space(void) { return kernel_cr3(); }");
  entry(w, "The address a page fault was about, read in the trap that reported it.", "static inline uint64 arch_fault_addr(void) { return read_cr2(); }");
  entry(
    w,
    "How a killed process's fault is printed (vector, pc, address: the port's own names for them).",
    '#define ARCH_FAULT_FORMAT "exception %u at rip %p cr2 %p"',
  );
}

function threadEntries(w: Writer): void {
  entry(
    w,
    "The saved context of a new thread on a stack ending at top: arch_switch into it calls thread_entry(fn, arg).",
    "uint64 arch_context_init(void *top, void (*fn)(void *), void *arg);",
  );
  entry(w, "Save the running context into *old and resume the one saved in next.", "static inline void arch_switch(uint64 *old, uint64 next) { swtch(old, next); }");
  entry(w, "The thread-local storage base a user thread sees (Linux's arch_prctl), loaded on every switch.", "static inline void arch_set_tls(uint64 base) { wrmsr(0xc0000100, base); /* MSR_FS_BASE */ }");
  entry(w, "The door user mode's syscall instruction goes through (one per ABI), loaded on every switch.", "static inline void arch_set_syscall_entry(uint64 entry) { wrmsr(MSR_LSTAR, entry); }");
  entry(w, "The syscall door of each ABI, for arch_set_syscall_entry.", "#define ARCH_ENTRY_EXO ((uint64)syscall_entry)\n#define ARCH_ENTRY_LINUX ((uint64)syscall_entry_linux)");
  entry(w, "Drop to user mode at pc with stack sp and two arguments; never returns.", "static inline __attribute__((noreturn)) void arch_enter_user(uint64 pc, uint64 sp, uint64 arg0, uint64 arg1) { enter_user(pc, sp, arg0, arg1); }");
}

function frameEntries(w: Writer): void {
  entry(w, "The user program counter and stack pointer a frame holds.", "static inline uint64 frame_pc(const struct trapframe *tf) { return tf->rip; }\nstatic inline uint64 frame_sp(const struct trapframe *tf) { return tf->rsp; }");
  entry(w, "Change the user stack pointer a frame returns with.", "static inline void frame_set_sp(struct trapframe *tf, uint64 sp) { tf->rsp = sp; }");
  entry(w, "The value a syscall returns through the frame.", "static inline void frame_set_return(struct trapframe *tf, uint64 v) { tf->rax = v; }");
  entry(
    w,
    "Make tf a fresh start of a program (execve): pc, stack, one argument, interrupts on, nothing else.",
    `static inline void frame_start_user(struct trapframe *tf, uint64 pc, uint64 sp, uint64 arg0) {
    uint64 cs = tf->cs, ss = tf->ss;
    memset(tf, 0, sizeof *tf);
    tf->trapno = T_SYSCALL;
    tf->cs = cs;
    tf->ss = ss;
    tf->rip = pc;
    tf->rsp = sp;
    tf->rdi = arg0;
    tf->rflags = RFLAGS_IF | 0x2; /* bit 1 is always set */
}`,
  );
}

function bootEntries(w: Writer): void {
  entry(w, "The boot loader's name, from what it handed kmain.", "const char *arch_loader_name(uint32 magic);");
  entry(w, "Hand the loader's free memory to the buddy allocator.", "static inline void arch_memory_init(uint32 magic, uint64 info) { memmap_init(magic, info); }");
  entry(w, "The first boot module (the initrd): 1 with *start (a kernel address) and *len, or 0.", "int arch_boot_module(uint32 magic, uint64 info, const uint8 **start, uint64 *len);");
}

export const arch: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    const tests = k.testMode !== "off";
    const summary = "The arch contract: what core code may use of the port, in neutral names, here implemented for x86_64.";
    return emit({ source, path: "include/arch.h", summary, options: ["kernel.testMode"] }, (w) => {
      w.line("#pragma once");
      w.blank();
      w.line('#include "types.h"', '#include "cpu.h"', '#include "frame.h"', '#include "defs.h"');
      w.blank();
      cpuEntries(w);
      spaceEntries(w);
      threadEntries(w);
      frameEntries(w);
      bootEntries(w);
      if (tests) {
        entry(
          w,
          "Self-tests: expect a trap of kind (ARCH_TRAP_*) and resume at resume; then ask whether it came, where, and about which address.",
          "#define ARCH_TRAP_ILLEGAL 6 /* #UD */\n#define ARCH_TRAP_PAGE 14   /* #PF */\nstatic inline void arch_trap_expect(uint32 kind, void *resume) { trap_expect(kind, resume); }\nstatic inline int arch_trap_caught(uint64 *addr, uint64 *pc) { return trap_caught(addr, pc); }",
        );
      }
    });
  },
};
