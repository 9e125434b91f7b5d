// include/arch.h: the arch contract (arch/contract.ts lists its entries and
// what each must do), here over x86_64's instructions and files: each entry's
// code, and a note where the way it is done needs one.
import { archHeader, trapEntry } from "../contract.ts";

export const arch = archHeader({
  source: "arch/x86_64/arch.ts",
  arch: "x86_64",
  includes: ["cpu.h", "frame.h", "defs.h"],
  entries: () => ({
    console_putc: { note: "The 16550 UART." },
    init_cpu: { note: "Here protection keys, segments and the TSS, the IDT, the FPU.", code: "static inline void arch_init_cpu(void) { isolation_init(); gdt_init(); idt_init(); fpu_init(); }" },
    set_kernel_stack: { note: "The TSS's RSP0.", code: "static inline void arch_set_kernel_stack(uint64 top) { set_kernel_stack(top); }" },
    elf_machine: "#define ARCH_ELF_MACHINE 62 /* EM_X86_64 */\n#define ARCH_LINUX_ABI 1",
    cycles: "static inline uint64 arch_cycles(void) { return rdtsc(); }",
    string: {
      note: "Eight bytes a step (REP STOSQ/MOVSQ), then the rest.",
      code: `#define ARCH_HAS_STRING 1
static inline void arch_memset(void *dst, uint8 c, uint64 n)
{
    uint8 *d = dst;
    uint64 v = 0x0101010101010101UL * c, q = n / 8, r = n % 8;
    __asm__ volatile("rep stosq" : "+D"(d), "+c"(q) : "a"(v) : "memory");
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(r) : "a"(v) : "memory");
}
static inline void arch_memcpy(void *dst, const void *src, uint64 n)
{
    uint8 *d = dst;
    const uint8 *s = src;
    uint64 q = n / 8, r = n % 8;
    __asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(q) : : "memory");
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(r) : : "memory");
}`,
    },
    hot_leaf: { note: "entry.S calls a hot0 entry with nothing saved.", code: "#define ARCH_HOT_LEAF __attribute__((no_caller_saved_registers))" },
    switch_space: "static inline void arch_switch_space(uint64 space) { write_cr3(space); }",
    kernel_space: "static inline uint64 arch_kernel_space(void) { return kernel_cr3(); }",
    fault_addr: "static inline uint64 arch_fault_addr(void) { return read_cr2(); }",
    fault_format: '#define ARCH_FAULT_FORMAT "exception %u at rip %p cr2 %p"',
    set_tls: "static inline void arch_set_tls(uint64 base) { wrmsr(0xc0000100, base); /* MSR_FS_BASE */ }",
    set_syscall_entry: "static inline void arch_set_syscall_entry(uint64 entry) { wrmsr(MSR_LSTAR, entry); }",
    entry_doors: "#define ARCH_ENTRY_EXO ((uint64)syscall_entry)\n#define ARCH_ENTRY_LINUX ((uint64)syscall_entry_linux)",
    frame_pc_sp: "static inline uint64 frame_pc(const struct trapframe *tf) { return tf->rip; }\nstatic inline uint64 frame_sp(const struct trapframe *tf) { return tf->rsp; }",
    frame_set_sp: "static inline void frame_set_sp(struct trapframe *tf, uint64 sp) { tf->rsp = sp; }",
    frame_set_return: "static inline void frame_set_return(struct trapframe *tf, uint64 v) { tf->rax = v; }",
    frame_start_user: `static inline void frame_start_user(struct trapframe *tf, uint64 pc, uint64 sp, uint64 arg0)
{
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
    memory_init: { note: "The Multiboot memory map." },
    trap_expect: trapEntry("6 /* #UD */", "14 /* #PF */"),
  }),
});
