// include/arch.h: the arch contract (arch/contract.ts lists its entries and
// what each must do), here over aarch64's system registers and the port's
// files: each entry's code, and a note where the way it is done needs one.
import { archHeader, trapEntry } from "../contract.ts";

/** EM_AARCH64. */
export const ELF_MACHINE = 183;

export const arch = archHeader({
  source: "arch/aarch64/arch.ts",
  arch: "aarch64",
  includes: ["cpu.h", "frame.h", "defs.h"],
  entries: () => ({
    init_early: { note: "Here TTBR0's boot map goes, and the PL011 comes up." },
    init_cpu: { note: "Here the exception vectors' C side, the GIC, the FPU.", code: "static inline void arch_init_cpu(void) { trap_init(); fpu_init(); }" },
    set_kernel_stack: { note: "SP_EL1 at the way out to EL0 (vectors.S).", code: "static inline void arch_set_kernel_stack(uint64 top) { kernel_stack_top = top; }" },
    elf_machine: `#define ARCH_ELF_MACHINE ${ELF_MACHINE} /* EM_AARCH64 */\n#define ARCH_LINUX_ABI 0`,
    cycles: {
      note: "The PMU's cycle counter (boot.S starts it; under QEMU -icount, one a nanosecond of the instruction clock).",
      code: "static inline uint64 arch_cycles(void) { isb(); return read_sysreg(pmccntr_el0); }",
    },
    switch_space: { note: "TTBR0; no ASIDs, so the TLB goes.", code: "static inline void arch_switch_space(uint64 space) { write_sysreg(ttbr0_el1, space); tlb_flush_all(); }" },
    kernel_space: { note: "For TTBR0: an empty table." },
    fault_addr: "static inline uint64 arch_fault_addr(void) { return read_sysreg(far_el1); }",
    fault_format: '#define ARCH_FAULT_FORMAT "exception class 0x%x at pc %p far %p"',
    set_tls: { note: "TPIDR_EL0.", code: "static inline void arch_set_tls(uint64 base) { write_sysreg(tpidr_el0, base); }" },
    set_syscall_entry: { note: "SVC always lands in the one vector table, and only Exo's ABI runs here.", code: "static inline void arch_set_syscall_entry(uint64 entry) { (void)entry; }" },
    entry_doors: { note: "One, as no Linux program runs here.", code: "#define ARCH_ENTRY_EXO 1UL\n#define ARCH_ENTRY_LINUX ARCH_ENTRY_EXO" },
    frame_pc_sp: "static inline uint64 frame_pc(const struct trapframe *tf) { return tf->pc; }\nstatic inline uint64 frame_sp(const struct trapframe *tf) { return tf->sp; }",
    frame_set_sp: "static inline void frame_set_sp(struct trapframe *tf, uint64 sp) { tf->sp = sp; }",
    frame_set_return: "static inline void frame_set_return(struct trapframe *tf, uint64 v) { tf->x[0] = v; }",
    frame_start_user: `static inline void frame_start_user(struct trapframe *tf, uint64 pc, uint64 sp, uint64 arg0)
{
    memset(tf, 0, sizeof *tf);
    tf->pc = pc;
    tf->sp = sp;
    tf->x[0] = arg0;
    tf->pstate = 0; /* EL0t, DAIF clear */
}`,
    memory_init: { note: "Here the device tree's." },
    boot_module: { note: "Here /chosen's linux,initrd-*." },
    trap_expect: trapEntry("0x00 /* EC_UNKNOWN: an undefined instruction */", "0x25 /* EC_DABT_CUR: a data (or instruction) abort at EL1 */"),
  }),
});
