// The arch contract (kernel-src/README.md, "The arch contract"): the one list
// of what include/arch.h must provide, in the order every port's header
// gives it, each entry with the names it defines and what it must do. A
// port's arch.ts gives only its own code per entry (and, where it helps, a
// note on how it does it); archHeader writes the header around them, so the
// three ports' headers read alike. tests/kernel-src/arch-contract.test.ts
// checks every port's header against this list.
import type { KernelTemplateInput } from "../input.ts";
import { emit, type Template } from "../template.ts";
import { functionLines, type Writer } from "../writer.ts";

interface ContractEntry {
  /** The names the entry defines (functions, macros or variables), each of which arch.h must name. */
  readonly names: readonly string[];
  /** What the port must provide: the entry's comment in every port's arch.h. */
  readonly what: string;
  /** A port may leave it out (then the core does without). */
  readonly optional?: true;
  /** Only self-test builds have it (archHeader leaves it out of the others). */
  readonly selftestOnly?: true;
  /** The code most ports give (a call of the port's own function of that name): a port that has it gives no code for the entry. */
  readonly usual?: string;
}

/** Every entry of the contract, in the order of include/arch.h. */
export const CONTRACT = {
  init_early: {
    names: ["arch_init_early"],
    what: "Before the first kprintf: drop boot.S's identity map of the lower half (user space's from here), start the console.",
    usual: "static inline void arch_init_early(uint32 magic, uint64 info) { (void)magic; (void)info; vm_drop_low_map(); uart_init(); }",
  },
  console_putc: {
    names: ["arch_console_putc"],
    what: "One byte to the console.",
    usual: "static inline void arch_console_putc(int c) { uart_putc(c); }",
  },
  init_cpu: { names: ["arch_init_cpu"], what: "After memory and the initrd: traps, the FPU policy, per-CPU state." },
  timer_init: {
    names: ["arch_timer_init"],
    what: "Start the preemption tick.",
    usual: "static inline void arch_timer_init(void) { timer_init(); }",
  },
  set_kernel_stack: { names: ["arch_set_kernel_stack"], what: "The stack a trap from user mode lands on (its top)." },
  elf_machine: {
    names: ["ARCH_ELF_MACHINE", "ARCH_LINUX_ABI"],
    what: "The e_machine of this port's programs, and whether it runs Linux-ABI ones (programs without the Exo note; core/linux.c speaks x86_64's numbers).",
  },
  cycles: { names: ["arch_cycles"], what: "A free-running cycle counter, the unit of the scheduler's statistics and of cycles_per_us." },
  irq_save: {
    names: ["arch_irq_save"],
    what: "Interrupts off, returning a token that says whether they were on.",
    usual: "static inline uint64 arch_irq_save(void) { return irq_save(); }",
  },
  irq_restore: {
    names: ["arch_irq_restore"],
    what: "Interrupts back as arch_irq_save found them.",
    usual: "static inline void arch_irq_restore(uint64 token) { irq_restore(token); }",
  },
  intr: {
    names: ["arch_intr_on", "arch_intr_off"],
    what: "Interrupts on / off.",
    usual: "static inline void arch_intr_on(void) { intr_on(); }\nstatic inline void arch_intr_off(void) { intr_off(); }",
  },
  relax: {
    names: ["arch_relax"],
    what: "A hint that the CPU is spinning on a value another thread will change.",
    usual: "static inline void arch_relax(void) { cpu_relax(); }",
  },
  halt: {
    names: ["arch_halt"],
    what: "Stop the machine with status (0: success); never returns.",
    usual: "void arch_halt(int status) __attribute__((noreturn));",
  },
  string: {
    names: ["ARCH_HAS_STRING", "arch_memset", "arch_memcpy"],
    what: "Bulk fill and copy for core/string.c's memset and memcpy (without them, eight bytes a step).",
    optional: true,
  },
  hot_leaf: {
    names: ["ARCH_HOT_LEAF"],
    what: "A function attribute under which a function keeps every register but its result (and its parameters'): the hot tier's argument-less entries (core/syscall.c's hot0 tables) wear it, for a syscall entry that calls them without saving anything.",
    optional: true,
  },
  switch_space: { names: ["arch_switch_space"], what: "Run on the page-table root `space` (physical) from now on." },
  kernel_space: {
    names: ["arch_kernel_space"],
    what: "The kernel's own page-table root, the space of kernel threads.",
    usual: "static inline uint64 arch_kernel_space(void) { return kernel_space(); }",
  },
  fault_addr: { names: ["arch_fault_addr"], what: "The address a page fault was about, read in the trap that reported it." },
  fault_format: { names: ["ARCH_FAULT_FORMAT"], what: "How a killed process's fault is printed (vector, pc, address: the port's own names for them)." },
  context_init: {
    names: ["arch_context_init"],
    what: "The saved context of a new thread on a stack ending at top: arch_switch into it calls thread_entry(fn, arg).",
    usual: "uint64 arch_context_init(void *top, void (*fn)(void *), void *arg);",
  },
  switch: {
    names: ["arch_switch"],
    what: "Save the running context into *old and resume the one saved in next.",
    usual: "static inline void arch_switch(uint64 *old, uint64 next) { swtch(old, next); }",
  },
  set_tls: { names: ["arch_set_tls"], what: "The thread-local storage base a user thread sees (Linux's arch_prctl), loaded on every switch." },
  set_syscall_entry: { names: ["arch_set_syscall_entry"], what: "The door user mode's syscall instruction goes through (one per ABI), loaded on every switch." },
  entry_doors: { names: ["ARCH_ENTRY_EXO", "ARCH_ENTRY_LINUX"], what: "The syscall door of each ABI, for arch_set_syscall_entry." },
  enter_user: {
    names: ["arch_enter_user"],
    what: "Drop to user mode at pc with stack sp and two arguments; never returns.",
    usual: "static inline __attribute__((noreturn)) void arch_enter_user(uint64 pc, uint64 sp, uint64 arg0, uint64 arg1) { enter_user(pc, sp, arg0, arg1); }",
  },
  frame_pc_sp: { names: ["frame_pc", "frame_sp"], what: "The user program counter and stack pointer a frame holds." },
  frame_set_sp: { names: ["frame_set_sp"], what: "Change the user stack pointer a frame returns with." },
  frame_set_return: { names: ["frame_set_return"], what: "The value a syscall returns through the frame." },
  frame_start_user: {
    names: ["frame_start_user"],
    what: "Make tf a fresh start of a program (execve): pc, stack, one argument, user mode with interrupts on, nothing else.",
  },
  loader_name: {
    names: ["arch_loader_name"],
    what: "The boot loader's name, from what it handed kmain.",
    usual: "const char *arch_loader_name(uint32 magic);",
  },
  memory_init: {
    names: ["arch_memory_init"],
    what: "Hand the loader's free memory to the buddy allocator.",
    usual: "static inline void arch_memory_init(uint32 magic, uint64 info) { memmap_init(magic, info); }",
  },
  boot_module: {
    names: ["arch_boot_module"],
    what: "The first boot module (the initrd): 1 with *start (a kernel address) and *len, or 0.",
    usual: "int arch_boot_module(uint32 magic, uint64 info, const uint8 **start, uint64 *len);",
  },
  trap_expect: {
    names: ["ARCH_TRAP_ILLEGAL", "ARCH_TRAP_PAGE", "arch_trap_expect", "arch_trap_caught"],
    what: "Self-tests: expect a trap of kind (ARCH_TRAP_*) and resume at resume; then ask whether it came, where, and about which address.",
    selftestOnly: true,
  },
} as const satisfies Record<string, ContractEntry>;

export type EntryName = keyof typeof CONTRACT;

/** The entries every port must give in every build. */
type Required = { [K in EntryName]: (typeof CONTRACT)[K] extends { optional: true } | { selftestOnly: true } | { usual: string } ? never : K }[EntryName];

/**
 * A port's code for one entry: a static inline function or a declaration (one
 * written on a line is laid out in Linux braces), or several; with a note, a
 * sentence on how this port does it, added to the entry's comment (and the
 * usual code when it gives none).
 */
export type PortCode = string | { readonly note: string; readonly code?: string };

/** A port's code for every entry: the optional ones, the self-test one and those with usual code may be absent. */
export type PortEntries = { readonly [K in Required]: PortCode } & { readonly [K in Exclude<EntryName, Required>]?: PortCode };

/** Every entry of the contract as [name, entry], in order. */
export const contractEntries = (): [EntryName, ContractEntry][] => Object.entries(CONTRACT) as [EntryName, ContractEntry][];

/** One entry of arch.h: the contract's comment (and the port's note), then the port's code. */
export function entry(w: Writer, what: string, code: string): void {
  w.comment(what);
  // Written one line a function in the ports, to read as a table; emitted as the style lays functions out.
  w.line(...code.split("\n").flatMap((l) => functionLines(l)));
  w.blank();
}

export interface ArchHeader {
  readonly source: string;
  readonly arch: string;
  /** The port's headers arch.h's code needs, after types.h. */
  readonly includes: readonly string[];
  /** What the port's arch.h says of itself after "here implemented for ARCH". */
  readonly summary?: string;
  readonly entries: (k: KernelTemplateInput["kernel"]) => PortEntries;
}

/** include/arch.h for a port: the contract's entries in order, each with the port's code. */
export function archHeader(port: ArchHeader): Template {
  return {
    source: port.source,
    render({ kernel: k }: KernelTemplateInput) {
      const code = port.entries(k) as Partial<Record<EntryName, PortCode>>;
      const summary = `The arch contract: what core code may use of the port, in neutral names, here implemented for ${port.arch}${port.summary ?? ""}.`;
      return emit({ source: port.source, path: "include/arch.h", summary, options: ["kernel.testMode"] }, (w) => {
        w.line("#pragma once");
        w.blank();
        w.line(...["types.h", ...port.includes].map((h) => `#include "${h}"`));
        w.blank();
        for (const [name, e] of contractEntries()) {
          if (e.selftestOnly && k.testMode !== "selftest") continue;
          const given = code[name];
          const c = typeof given === "string" ? given : (given?.code ?? e.usual);
          if (c === undefined) {
            if (e.optional) continue;
            throw new Error(`${port.source}: no code for the arch contract's ${name}`);
          }
          entry(w, typeof given === "object" ? `${e.what} ${given.note}` : e.what, c);
        }
      });
    },
  };
}

/** The self-test trap entry of a port whose trap.c has trap_expect and trap_caught: its two kinds (`value /* what *\/`), then the calls. */
export function trapEntry(illegal: string, page: string): string {
  return `#define ARCH_TRAP_ILLEGAL ${illegal}
#define ARCH_TRAP_PAGE ${page}
static inline void arch_trap_expect(uint32 kind, void *resume) { trap_expect(kind, resume); }
static inline int arch_trap_caught(uint64 *addr, uint64 *pc) { return trap_caught(addr, pc); }`;
}
