// include/cpu.h: aarch64 hardware, the bits of the system registers and
// translation-table entries the kernel sets, and the few instructions C needs.
import { emit, type Template } from "../../template.ts";
import { alignColumns, type Writer } from "../../writer.ts";

const source = "arch/aarch64/cpu.ts";

/** MAIR_EL1's attribute indexes: device registers, normal write-back memory. */
export const MAIR_VALUE = 0xff00n; // Attr0 = 0x00 (Device-nGnRnE), Attr1 = 0xff (Normal, inner/outer write-back)

function constants(w: Writer): void {
  const rows: [string, string, string][] = [
    ["PTE_VALID", "0x1", "a valid descriptor"],
    ["PTE_TABLE", "0x2", "levels 0-2: a table (a block if clear); level 3: a page (must be set)"],
    ["PTE_DEVICE", "(0 << 2)", "AttrIndx 0: Device-nGnRnE"],
    ["PTE_NORMAL", "(1 << 2)", "AttrIndx 1: normal write-back memory"],
    ["PTE_USER", "(1 << 6)", "AP[1]: EL0 may access"],
    ["PTE_RDONLY", "(1 << 7)", "AP[2]: read-only (at EL0 and EL1)"],
    ["PTE_SH_INNER", "(3 << 8)", "inner shareable"],
    ["PTE_AF", "(1 << 10)", "access flag (no access-flag faults)"],
    ["PTE_NG", "(1 << 11)", "not global: user pages, dropped with the address space"],
    ["PTE_PXN", "(UL(1) << 53)", "EL1 may not execute"],
    ["PTE_UXN", "(UL(1) << 54)", "EL0 may not execute"],
    ["PTE_COW_BIT", "(UL(1) << 55)", "software bit: shared since a fork, copied on the first write (cow.c)"],
    ["SCTLR_M", "(1 << 0)", "MMU on"],
    ["SCTLR_C", "(1 << 2)", "data cacheable"],
    ["SCTLR_SA", "(1 << 3)", "SP alignment check at EL1"],
    ["SCTLR_SA0", "(1 << 4)", "... at EL0"],
    ["SCTLR_I", "(1 << 12)", "instruction cacheable"],
    ["SCTLR_DZE", "(1 << 14)", "EL0 may use DC ZVA"],
    ["SCTLR_UCT", "(1 << 15)", "EL0 may read CTR_EL0"],
    ["SCTLR_NTWI", "(1 << 16)", "WFI at EL0 does not trap"],
    ["SCTLR_NTWE", "(1 << 18)", "WFE at EL0 does not trap"],
    ["SCTLR_WXN", "(1 << 19)", "a writable page is never executable (W^X by the MMU too)"],
    ["SCTLR_RES1", "0x30d00800", "bits 11, 20, 22, 23, 28, 29"],
    ["TCR_T0SZ", "(16 << 0)", "TTBR0: 48-bit addresses"],
    ["TCR_IRGN0_WB", "(1 << 8)", ""],
    ["TCR_ORGN0_WB", "(1 << 10)", ""],
    ["TCR_SH0_INNER", "(3 << 12)", ""],
    ["TCR_TG0_4K", "(0 << 14)", ""],
    ["TCR_T1SZ", "(16 << 16)", "TTBR1: 48-bit addresses"],
    ["TCR_IRGN1_WB", "(1 << 24)", ""],
    ["TCR_ORGN1_WB", "(1 << 26)", ""],
    ["TCR_SH1_INNER", "(3 << 28)", ""],
    ["TCR_TG1_4K", "(2 << 30)", ""],
    ["TCR_IPS_SHIFT", "32", "IPS: ID_AA64MMFR0_EL1.PARange goes here"],
    ["MAIR_VALUE", `0x${MAIR_VALUE.toString(16)}`, "Attr0 Device-nGnRnE, Attr1 normal write-back"],
    ["HCR_RW", "(UL(1) << 31)", "EL1 is AArch64"],
    ["SPSR_EL1H_MASKED", "0x3c5", "EL1 with SP_EL1, DAIF all masked"],
    ["CPACR_FPEN_ON", "(3 << 20)", "FP/SIMD does not trap at EL0 or EL1"],
    ["CNTKCTL_EL0VCTEN", "(1 << 1)", "EL0 may read CNTVCT_EL0"],
    ["PMCR_E_C_LC", "((1 << 0) | (1 << 2) | (1 << 6))", "PMU on, cycle counter reset, 64-bit cycle counter"],
    ["PMCNTEN_C", "(UL(1) << 31)", "PMCNTENSET_EL0: the cycle counter counts"],
    ["PMUSERENR_EN_CR", "((1 << 0) | (1 << 2))", "EL0 may read the cycle counter (the SDK's cycles())"],
    ["DAIF_I", "(1 << 7)", "IRQs masked"],
    ["ESR_EC_SHIFT", "26", "the exception class"],
    ["EC_UNKNOWN", "0x00", "an undefined instruction"],
    ["EC_FP", "0x07", "FP/SIMD access trapped by CPACR_EL1.FPEN"],
    ["EC_SVC64", "0x15", "SVC from AArch64"],
    ["EC_IABT_LOW", "0x20", "instruction abort from EL0"],
    ["EC_IABT_CUR", "0x21", "instruction abort at EL1"],
    ["EC_DABT_LOW", "0x24", "data abort from EL0"],
    ["EC_DABT_CUR", "0x25", "data abort at EL1"],
    ["ESR_WNR", "(1 << 6)", "a data abort's access was a write"],
    ["ESR_FSC_TYPE", "0x3c", "a data abort's fault status code without its level (bits 1:0)"],
    ["FSC_PERM", "0x0c", "... a permission fault"],
  ];
  w.comment("Plain numbers, so that boot.S can use them too; UL() makes the wide ones unsigned long in C.");
  w.line("#ifdef __ASSEMBLER__", "#define UL(x) x", "#else", "#define UL(x) x##UL", "#endif");
  w.line(...alignColumns(rows.map(([name, value, note]) => ["#define", name, value, note === "" ? "" : `/* ${note} */`])));
}

/** The system registers C reads with read_sysreg (a new one goes here: the build fails on read_<name> undeclared). */
const READ_SYSREGS = ["cntfrq_el0", "cntvct_el0", "daif", "far_el1", "pmccntr_el0", "sctlr_el1", "ttbr1_el1", "vbar_el1"];

function instructions(w: Writer): void {
  const inline = (sig: string, body: string) => w.fn(`static inline ${sig}`, () => w.line(body)).blank();
  w.comment("Read and write a system register by name. mrs takes the name in the instruction, so each register C reads has an accessor, read_<name>().");
  w.line("#define read_sysreg(r) read_##r()");
  w.line('#define write_sysreg(r, v) __asm__ volatile("msr " #r ", %0" : : "r"((uint64)(v)) : "memory")');
  w.blank();
  for (const r of READ_SYSREGS) inline(`uint64 read_${r}(void)`, `uint64 v;\n__asm__ volatile("mrs %0, ${r}" : "=r"(v));\nreturn v;`);
  inline("void isb(void)", '__asm__ volatile("isb" : : : "memory");');
  w.comment("Every TLB entry of this CPU (and the inner-shareable domain) gone, after the table writes are seen.");
  inline("void tlb_flush_all(void)", '__asm__ volatile("dsb ishst; tlbi vmalle1is; dsb ish; isb" : : : "memory");');
  w.comment("The TLB entries of one page (any ASID) gone.");
  inline("void tlb_flush_page(uint64 va)", '__asm__ volatile("dsb ishst; tlbi vaae1is, %0; dsb ish; isb" : : "r"(va >> 12) : "memory");');
  inline("void intr_on(void)", '__asm__ volatile("msr daifclr, #2" : : : "memory");');
  inline("void intr_off(void)", '__asm__ volatile("msr daifset, #2" : : : "memory");');
  w.comment("Interrupts off, returning whether they were on: the kernel's one CPU needs no other lock.");
  inline("uint64 irq_save(void)", "uint64 f = read_sysreg(daif);\nintr_off();\nreturn f;");
  inline("void irq_restore(uint64 f)", "if ((f & DAIF_I) == 0)\n    intr_on();");
  w.comment("Sleep until an interrupt is pending (taken once they are on).");
  inline("void wait_for_interrupt(void)", '__asm__ volatile("wfi" : : : "memory");');
  w.comment("Tell the CPU we are spinning.");
  inline("void cpu_relax(void)", '__asm__ volatile("yield" : : : "memory");');
  w.comment("Stop the CPU for good: interrupts off, then wait (again, should anything wake it).");
  w.fn("static inline __attribute__((noreturn)) void cpu_halt(void)", () => {
    w.line("for (;;)").indent(() => w.line('__asm__ volatile("msr daifset, #0xf; wfi");'));
  });
}

export const cpu: Template = {
  source,
  render() {
    const summary = "aarch64 system-register and translation-table bits, and inline system-register access and CPU control.";
    return emit({ source, path: "include/cpu.h", summary, options: [] }, (w) => {
      w.line("#pragma once");
      w.blank();
      constants(w);
      w.blank();
      w.line("#ifndef __ASSEMBLER__");
      w.blank();
      w.line('#include "types.h"');
      w.blank();
      w.comment("The physical address an entry of any level points to (bits 12-47): a table, or a page.");
      w.line("#define PTE_ADDR(e) (0x0000fffffffff000UL & (e))");
      w.blank();
      instructions(w);
      w.line("#endif /* __ASSEMBLER__ */");
    });
  },
};
