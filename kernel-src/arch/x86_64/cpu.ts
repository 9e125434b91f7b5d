// include/cpu.h: x86_64 hardware, the bits of the control registers, MSRs
// and page tables the kernel sets, and the few instructions C needs (xv6's x86.h).
import { emit, type Template } from "../../template.ts";
import { alignColumns, type Writer } from "../../writer.ts";

const source = "arch/x86_64/cpu.ts";

function constants(w: Writer): void {
  const rows: [string, string, string][] = [
    ["CR0_PE", "0x00000001", "protected mode"],
    ["CR0_MP", "0x00000002", "WAIT/FWAIT honour CR0.TS"],
    ["CR0_EM", "0x00000004", "emulate the FPU (must be clear for SSE)"],
    ["CR0_TS", "0x00000008", "task switched: the next FPU/SSE instruction raises #NM"],
    ["CR0_NE", "0x00000020", "report FPU errors as #MF, not through the PIC"],
    ["CR0_WP", "0x00010000", "read-only pages are read-only to the kernel too"],
    ["CR0_PG", "0x80000000", "paging"],
    ["CR4_PAE", "0x00000020", "physical address extension, required by long mode"],
    ["CR4_OSFXSR", "0x00000200", "the OS saves SSE state with FXSAVE/FXRSTOR"],
    ["CR4_OSXMMEXCPT", "0x00000400", "the OS handles SIMD exceptions (#XM)"],
    ["CR4_PKE", "0x00400000", "protection keys for user pages (PKU)"],
    ["CPUID7_ECX_PKU", "0x00000008", "CPUID leaf 7: protection keys supported"],
    ["CPUID_EXT", "0x80000001", "CPUID leaf of the extended features"],
    ["CPUID_EXT_EDX_NX", "0x00100000", "... in its EDX: the no-execute bit exists"],
    ["RFLAGS_IF", "0x00000200", "interrupts enabled"],
    ["MSR_EFER", "0xc0000080", "extended feature enable register"],
    ["EFER_LME", "0x00000100", "long mode enable"],
    ["EFER_NXE", "0x00000800", "no-execute enable: PTE_NX is a permission, not a reserved bit"],
    ["PTE_P", "0x001", "present"],
    ["PTE_W", "0x002", "writable"],
    ["PTE_U", "0x004", "user-accessible (needed at every level)"],
    ["PTE_PS", "0x080", "in a page directory: a 2 MiB page, not a table"],
    ["PTE_NX", "0x8000000000000000", "no execute (with EFER_NXE; the kernel uses pte_nx, 0 without NX)"],
    ["PTE_NX_HI", "0x80000000", "PTE_NX in an entry's high 32 bits, for 32-bit code"],
    ["SEG_KCODE", "0x08", "GDT selector: 64-bit kernel code"],
    ["SEG_KDATA", "0x10", "GDT selector: kernel data"],
    ["SEG_USER_BASE", "0x18", "STAR[63:48]: SYSRET takes SS = base + 8, CS = base + 16"],
    ["SEG_UDATA", "0x23", "GDT selector: user data, RPL 3"],
    ["SEG_UCODE", "0x2b", "GDT selector: 64-bit user code, RPL 3"],
    ["SEG_TSS", "0x30", "GDT selector: the task-state segment"],
    ["MSR_STAR", "0xc0000081", "SYSCALL/SYSRET segment selectors"],
    ["MSR_LSTAR", "0xc0000082", "SYSCALL entry point"],
    ["MSR_SFMASK", "0xc0000084", "RFLAGS bits SYSCALL clears"],
    ["EFER_SCE", "0x00000001", "SYSCALL/SYSRET enable"],
  ];
  w.comment("Plain numbers, so that boot.S can use them too.");
  w.line(...alignColumns(rows.map(([name, value, note]) => ["#define", name, value, `/* ${note} */`])));
}

function instructions(w: Writer): void {
  w.fn("static inline uint8 inb(uint16 port)", () => {
    w.line("uint8 v;");
    w.line('__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));');
    w.line("return v;");
  });
  w.blank();
  w.fn("static inline void outb(uint16 port, uint8 v)", () => {
    w.line('__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));');
  });
  w.blank();
  w.comment("Stop the CPU for good: interrupts off, then halt (again, should an NMI wake it).");
  w.fn("static inline __attribute__((noreturn)) void cpu_halt(void)", () => {
    w.line("for (;;)").indent(() => w.line('__asm__ volatile("cli; hlt");'));
  });
  w.blank();
  const inline = (sig: string, body: string) => w.fn(`static inline ${sig}`, () => w.line(body)).blank();
  inline("uint64 rdtsc(void)", "uint32 lo, hi;\n__asm__ volatile(\"rdtsc\" : \"=a\"(lo), \"=d\"(hi));\nreturn ((uint64)hi << 32) | lo;");
  inline("uint64 read_cr0(void)", 'uint64 v;\n__asm__ volatile("mov %%cr0, %0" : "=r"(v));\nreturn v;');
  inline("void write_cr0(uint64 v)", '__asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");');
  inline("uint64 read_cr2(void)", 'uint64 v;\n__asm__ volatile("mov %%cr2, %0" : "=r"(v));\nreturn v;');
  inline("uint64 read_cr3(void)", 'uint64 v;\n__asm__ volatile("mov %%cr3, %0" : "=r"(v));\nreturn v;');
  inline("void write_cr3(uint64 v)", '__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");');
  inline("uint64 rdmsr(uint32 msr)", 'uint32 lo, hi;\n__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));\nreturn ((uint64)hi << 32) | lo;');
  inline("void wrmsr(uint32 msr, uint64 v)", '__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32)v), "d"((uint32)(v >> 32)));');
  inline("uint64 read_cr4(void)", 'uint64 v;\n__asm__ volatile("mov %%cr4, %0" : "=r"(v));\nreturn v;');
  inline("void write_cr4(uint64 v)", '__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");');
  inline("uint64 read_rflags(void)", 'uint64 v;\n__asm__ volatile("pushfq; popq %0" : "=r"(v));\nreturn v;');
  inline("void intr_on(void)", '__asm__ volatile("sti" : : : "memory");');
  inline("void intr_off(void)", '__asm__ volatile("cli" : : : "memory");');
  w.comment("Interrupts off, returning whether they were on: the kernel's one CPU needs no other lock.");
  inline("uint64 irq_save(void)", 'uint64 f = read_rflags();\nintr_off();\nreturn f;');
  inline("void irq_restore(uint64 f)", "if (f & RFLAGS_IF)\n    intr_on();");
  w.comment("Clear CR0.TS, so FPU/SSE instructions run again without #NM.");
  inline("void clts(void)", '__asm__ volatile("clts" : : : "memory");');
  inline("void cpuid(uint32 leaf, uint32 sub, uint32 *a, uint32 *b, uint32 *c, uint32 *d)", '__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));');
  w.comment("Enable interrupts and sleep until the next one; interrupts stay on afterwards.");
  inline("void wait_for_interrupt(void)", '__asm__ volatile("sti; hlt" : : : "memory");');
  w.comment("Tell the CPU we are spinning, so it saves power and yields to the other hyperthread.");
  w.fn("static inline void cpu_relax(void)", () => {
    w.line('__asm__ volatile("pause" : : : "memory");');
  });
}

export const cpu: Template = {
  source,
  render() {
    const summary = "x86_64 control-register, MSR and page-table bits, and inline port I/O and CPU control.";
    return emit({ source, path: "include/cpu.h", summary, options: [] }, (w) => {
      w.line("#pragma once");
      w.blank();
      constants(w);
      w.blank();
      w.line("#ifndef __ASSEMBLER__");
      w.blank();
      w.line('#include "types.h"');
      w.blank();
      w.comment("The physical address an entry of any level points to (bits 12-51): a table, or a page.");
      w.line("#define PTE_ADDR(e) (0x000ffffffffff000UL & (e))");
      w.blank();
      instructions(w);
      w.blank();
      w.line("#endif /* __ASSEMBLER__ */");
    });
  },
};
