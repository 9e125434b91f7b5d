// include/cpu.h: x86_64 hardware, the bits of the control registers, MSRs
// and page tables the kernel sets, and the few instructions C needs (xv6's x86.h).
import { emit, type Template } from "../../template.ts";
import { alignColumns, type Writer } from "../../writer.ts";

const source = "arch/x86_64/cpu.ts";

function constants(w: Writer): void {
  const rows: [string, string, string][] = [
    ["CR0_PE", "0x00000001", "protected mode"],
    ["CR0_PG", "0x80000000", "paging"],
    ["CR4_PAE", "0x00000020", "physical address extension, required by long mode"],
    ["MSR_EFER", "0xc0000080", "extended feature enable register"],
    ["EFER_LME", "0x00000100", "long mode enable"],
    ["PTE_P", "0x001", "present"],
    ["PTE_W", "0x002", "writable"],
    ["PTE_PS", "0x080", "in a page directory: a 2 MiB page, not a table"],
    ["SEG_KCODE", "0x08", "GDT selector: 64-bit kernel code"],
    ["SEG_KDATA", "0x10", "GDT selector: kernel data"],
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
      instructions(w);
      w.blank();
      w.line("#endif /* __ASSEMBLER__ */");
    });
  },
};
