// include/riscv.h: riscv64 hardware as the kernel uses it (the supervisor
// level of the privileged spec 1.12): sstatus, sie and scause bits, Sv39
// page-table entries, the CSR instructions C needs and the SBI call (the
// x86_64 port's cpu.h).
import type { KernelTemplateInput } from "../../input.ts";
import { emit, type Template } from "../../template.ts";
import { alignColumns, functionLines, type Writer } from "../../writer.ts";

const source = "arch/riscv64/riscv.ts";

/** scause exception codes the kernel tells apart. */
export const CAUSE = {
  illegal: 2,
  ecallUser: 8,
  fetchPage: 12,
  loadPage: 13,
  storePage: 15,
} as const;

function constants(w: Writer, selftest: boolean): void {
  const rows: [string, string, string][] = [
    ["SSTATUS_SIE", "0x2", "supervisor interrupts enabled"],
    ["SSTATUS_SPIE", "0x20", "SIE before the trap; sret restores it"],
    ["SSTATUS_SPP", "0x100", "the trap came from supervisor mode (sret returns there)"],
    ["SSTATUS_FS", "0x6000", "FPU state field: 0 Off (FP instructions are illegal), Initial, Clean, Dirty"],
    ["SSTATUS_FS_OFF", "0x0000", ""],
    ["SSTATUS_FS_CLEAN", "0x4000", ""],
    ["SSTATUS_FS_DIRTY", "0x6000", ""],
    ["SSTATUS_SUM", "0x40000", "supervisor may access user pages (never execute them)"],
    ["SIE_STIE", "0x20", "supervisor timer interrupt enable"],
    ["SCAUSE_INTR", "0x8000000000000000", "scause: an interrupt, not an exception"],
    ["IRQ_S_TIMER", "5", "scause code of the supervisor timer interrupt"],
    ["CAUSE_ILLEGAL", `${CAUSE.illegal}`, "illegal instruction"],
    ["CAUSE_ECALL_U", `${CAUSE.ecallUser}`, "ecall from user mode: a syscall"],
    ...(selftest
      ? ([
          ["CAUSE_FETCH_PAGE", `${CAUSE.fetchPage}`, "instruction page fault"],
          ["CAUSE_LOAD_PAGE", `${CAUSE.loadPage}`, "load page fault"],
        ] as [string, string, string][])
      : []),
    ["CAUSE_STORE_PAGE", `${CAUSE.storePage}`, "store/AMO page fault"],
    ["SATP_SV39", "0x8000000000000000", "satp mode 8: Sv39"],
    ["PTE_V", "0x001", "valid"],
    ["PTE_R", "0x002", "readable"],
    ["PTE_W", "0x004", "writable"],
    ["PTE_X", "0x008", "executable (R, W, X all 0: a pointer to the next table)"],
    ["PTE_U", "0x010", "user-accessible"],
    ["PTE_G", "0x020", "global: in every address space (the kernel's half)"],
    ["PTE_A", "0x040", "accessed (set up front: no A/D faults)"],
    ["PTE_D", "0x080", "dirty"],
    ["PTE_LEAF", "0x00e", "R, W or X: the entry maps a page"],
  ];
  w.comment("Plain numbers, so that assembly can use them too.");
  w.line(...alignColumns(rows.map(([name, value, note]) => ["#define", name, value, note === "" ? "" : `/* ${note} */`])));
}

/** The CSRs C reads (csr_read(name) calls csr_read_name()): the name must be literal in the csrr, so one reader each. */
const READ_CSRS = ["sstatus"] as const;

function instructions(w: Writer): void {
  w.comment("A CSR by name: read, write, set bits, clear bits.");
  w.c`
    #define csr_read(csr) csr_read_##csr()
    #define csr_write(csr, v) __asm__ volatile("csrw " #csr ", %0" : : "r"((uint64)(v)) : "memory")
    #define csr_set(csr, v) __asm__ volatile("csrs " #csr ", %0" : : "r"((uint64)(v)) : "memory")
    #define csr_clear(csr, v) __asm__ volatile("csrc " #csr ", %0" : : "r"((uint64)(v)) : "memory")
  `;
  w.comment("csr_read's readers, one per CSR the kernel reads: csrr takes the name literally.");
  for (const csr of READ_CSRS) {
    w.c`
      static inline uint64 csr_read_${csr}(void)
      {
          uint64 v;
          __asm__ volatile("csrr %0, ${csr}" : "=r"(v));
          return v;
      }
    `;
  }
  w.blank();
  w.comment("The physical address an entry points to (a table, or a page), and the entry of one.");
  w.line("#define PTE_ADDR(e) (((e) >> 10) << 12)", "#define PA2PTE(pa) (((uint64)(pa) >> 12) << 10)");
  w.blank();
  w.comment("The time CSR: a constant-rate counter (the device tree's timebase-frequency).");
  w.c`
    static inline uint64 rdtime(void)
    {
        uint64 v;
        __asm__ volatile("rdtime %0" : "=r"(v));
        return v;
    }
  `;
  w.comment("The cycle CSR: the CPU's own clock (under QEMU -icount, one per instruction), arch_cycles.");
  w.c`
    static inline uint64 rdcycle(void)
    {
        uint64 v;
        __asm__ volatile("rdcycle %0" : "=r"(v));
        return v;
    }
  `;
  w.blank();
  w.line(...functionLines("static inline void intr_on(void) { csr_set(sstatus, SSTATUS_SIE); }"), ...functionLines("static inline void intr_off(void) { csr_clear(sstatus, SSTATUS_SIE); }"));
  w.comment("Interrupts off, returning whether they were on: the kernel's one CPU needs no other lock.");
  w.c`
    static inline uint64 irq_save(void)
    {
        uint64 s;
        __asm__ volatile("csrrci %0, sstatus, 2" : "=r"(s) : : "memory");
        return s & SSTATUS_SIE;
    }
    static inline void irq_restore(uint64 s)
    {
        if (s & SSTATUS_SIE)
            intr_on();
    }
  `;
  w.comment("Drop every TLB entry (after satp or a table changed), or the ones of one address.");
  w.line(
    ...functionLines('static inline void sfence_vma(void) { __asm__ volatile("sfence.vma zero, zero" : : : "memory"); }'),
    ...functionLines('static inline void sfence_vma_page(uint64 va) { __asm__ volatile("sfence.vma %0, zero" : : "r"(va) : "memory"); }'),
  );
  w.comment("Spinning on a value: nothing to hint with on the base ISA (Zihintpause is optional), so a compiler barrier.");
  w.line(...functionLines('static inline void cpu_relax(void) { __asm__ volatile("nop" : : : "memory"); }'));
  w.blank();
  w.comment("An SBI call (the firmware in M-mode): extension eid, function fid; returns a0 (the error) and *value a1.");
  w.c`
    static inline int64 sbi_call(uint64 eid, uint64 fid, uint64 arg0, uint64 arg1, uint64 arg2, uint64 *value)
    {
        register uint64 a0 __asm__("a0") = arg0;
        register uint64 a1 __asm__("a1") = arg1;
        register uint64 a2 __asm__("a2") = arg2;
        register uint64 a6 __asm__("a6") = fid;
        register uint64 a7 __asm__("a7") = eid;
        __asm__ volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a2), "r"(a6), "r"(a7) : "memory");
        if (value != NULL)
            *value = a1;
        return (int64)a0;
    }
  `;
  w.line(
    "#define SBI_EXT_TIME 0x54494d45 /* \"TIME\": set_timer */",
    "#define SBI_EXT_SRST 0x53525354 /* \"SRST\": system reset */",
  );
}

export const riscv: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    const selftest = k.testMode === "selftest";
    const summary = "riscv64 supervisor CSR bits, Sv39 page-table entries, inline CSR access, TLB fences and the SBI call.";
    return emit({ source, path: "include/riscv.h", summary, options: ["kernel.testMode"] }, (w) => {
      w.line("#pragma once");
      w.blank();
      constants(w, selftest);
      w.blank();
      w.line("#ifndef __ASSEMBLER__");
      w.blank();
      w.line('#include "types.h"');
      w.blank();
      instructions(w);
      w.blank();
      w.line("#endif /* __ASSEMBLER__ */");
    });
  },
};
