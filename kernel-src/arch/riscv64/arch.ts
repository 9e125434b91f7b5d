// include/arch.h: the arch contract (arch/contract.ts lists its entries and
// what each must do), here over riscv64's supervisor mode: rdcycle,
// sstatus.SIE, satp, stval, the windowed switch, ecall and sret. Core C
// includes this and never riscv.h.
import { archHeader, trapEntry } from "../contract.ts";
import { CAUSE } from "./riscv.ts";

/** ELF e_machine of riscv64 programs (EM_RISCV). */
export const EM_RISCV = 243;

export const arch = archHeader({
  source: "arch/riscv64/arch.ts",
  arch: "riscv64",
  summary: " (Sv39, S-mode under SBI)",
  includes: ["riscv.h", "frame.h", "defs.h"],
  entries: () => ({
    init_early: { note: "In cpu.c.", code: "void arch_init_early(uint32 magic, uint64 info);" },
    console_putc: "void arch_console_putc(int c);",
    init_cpu: { note: "Here the trap vector, the FPU, the counters user mode may read (cpu.c).", code: "void arch_init_cpu(void);" },
    timer_init: {
      note: "With it (timer.c): arch_cycles per microsecond (measured against the timebase), the timeslice, and timer ticks so far.",
      code: "void arch_timer_init(void);\nextern uint64 cycles_per_us;\nextern const uint32 timeslice_us;\nextern volatile uint64 ticks;",
    },
    set_kernel_stack: { note: "entry.S takes it from sscratch.", code: "void arch_set_kernel_stack(uint64 top);" },
    elf_machine: `#define ARCH_ELF_MACHINE ${EM_RISCV} /* EM_RISCV */\n#define ARCH_LINUX_ABI 0`,
    cycles: { note: "The cycle CSR (timer.c measures it against the timebase).", code: "static inline uint64 arch_cycles(void) { return rdcycle(); }" },
    switch_space: {
      note: "Sv39, one address space id for all.",
      code: "static inline void arch_switch_space(uint64 space)\n{\n    csr_write(satp, SATP_SV39 | (space >> 12));\n    sfence_vma();\n}",
    },
    fault_addr: { note: "stval, as trap() kept it.", code: "static inline uint64 arch_fault_addr(void) { return trap_stval; }" },
    fault_format: '#define ARCH_FAULT_FORMAT "scause %u at sepc %p stval %p"',
    set_tls: { note: "Here tp, a user register the trapframe keeps: nothing to load on a switch.", code: "static inline void arch_set_tls(uint64 base) { (void)base; }" },
    set_syscall_entry: { note: "One door for every ABI: ecall traps to stvec, and trap() takes the Exo ABI's numbers.", code: "static inline void arch_set_syscall_entry(uint64 entry) { (void)entry; }" },
    entry_doors: "#define ARCH_ENTRY_EXO 1UL\n#define ARCH_ENTRY_LINUX 1UL",
    frame_pc_sp: "static inline uint64 frame_pc(const struct trapframe *tf) { return tf->sepc; }\nstatic inline uint64 frame_sp(const struct trapframe *tf) { return tf->sp; }",
    frame_set_sp: "static inline void frame_set_sp(struct trapframe *tf, uint64 sp) { tf->sp = sp; }",
    frame_set_return: "static inline void frame_set_return(struct trapframe *tf, uint64 v) { tf->a0 = v; }",
    frame_start_user: `static inline void frame_start_user(struct trapframe *tf, uint64 pc, uint64 sp, uint64 arg0)
{
    memset(tf, 0, sizeof *tf);
    tf->sepc = pc;
    tf->sp = sp;
    tf->a0 = arg0;
    tf->sstatus = SSTATUS_SPIE; /* SPP 0: sret goes to user mode */
}`,
    memory_init: { note: "Here the device tree's.", code: "void arch_memory_init(uint32 magic, uint64 info);" },
    boot_module: { note: "Here the one /chosen names." },
    trap_expect: trapEntry(`${CAUSE.illegal} /* scause: illegal instruction */`, "0x100 /* any page fault: scause 12, 13 or 15 */"),
  }),
});
