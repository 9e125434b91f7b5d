// include/defs.h's groups for the x86_64 port's own files: what each of them
// defines for the others and for arch.h's inline entries.
import type { KernelTemplateInput } from "../../input.ts";
import type { DeclarationGroup } from "../../port.ts";
import { COW_DECLARATIONS } from "../../core/cow.ts";
import { fpuDeclarations, testasmDeclarations, TRAP_TEST_DECLARATIONS, UVM_DECLARATIONS } from "../declarations.ts";

const noreturn = "__attribute__((noreturn))";

export function declarations({ kernel: k }: KernelTemplateInput): DeclarationGroup[] {
  const tests = k.testMode !== "off";
  const a = "arch/x86_64";
  return [
    [`${a}/boot.S`, ["extern uint64 pte_nx; /* PTE_NX if the CPU has no-execute (boot.S turned it on), else 0 */"]],
    ["core/cow.c", ["#define PTE_COW 0x200 /* a leaf's available bit 9: shared since a fork, copied on the first write */", ...COW_DECLARATIONS]],
    [`${a}/entry.S`, [`void enter_user(uint64 pc, uint64 sp, uint64 arg0, uint64 arg1) ${noreturn};`, "struct trapframe;", `void user_return(struct trapframe *tf) ${noreturn};`, "void syscall_entry(void);", "void syscall_entry_linux(void);"]],
    [`${a}/fpu.c`, fpuDeclarations(k)],
    [`${a}/gdt.c`, ["void gdt_init(void);", "void set_kernel_stack(uint64 top); /* arch_set_kernel_stack */"]],
    [`${a}/memmap.c`, ["void memmap_init(uint32 magic, uint64 info); /* arch_memory_init */"]],
    [`${a}/pku.c`, ["extern int isolation_mpk;", "void isolation_init(void);"]],
    [`${a}/power.c`, [`void arch_halt(int status) ${noreturn};`]],
    [`${a}/serial.c`, ["void uart_init(void);", "void uart_putc(int c);"]],
    [`${a}/swtch.S`, ["void swtch(uint64 *old_rsp, uint64 new_rsp);"]],
    ...(tests
      ? [[`${a}/testasm.S`, testasmDeclarations("test_ud2")] as [string, string[]]]
      : []),
    [`${a}/timer.c`, ["extern uint64 cycles_per_us; /* TSC ticks per microsecond */", "extern const uint32 timeslice_us;", "extern volatile uint64 ticks;", "void timer_init(void);", "void timer_intr(void);", "void pic_eoi(uint32 irq);"]],
    [`${a}/vm.c`, [
      ...UVM_DECLARATIONS,
      "uint64 kernel_cr3(void);",
      "void vm_drop_low_map(void);"]],
    [`${a}/trap.c`, ["void idt_init(void);", "void backtrace(uint64 fp);", ...(tests ? TRAP_TEST_DECLARATIONS : [])]],
  ];
}
