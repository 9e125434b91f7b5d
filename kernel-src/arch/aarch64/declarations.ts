// include/defs.h's groups for the aarch64 port's own files: what each of them
// defines for the others and for arch.h's inline entries.
import type { KernelTemplateInput } from "../../input.ts";
import type { DeclarationGroup } from "../../port.ts";
import { COW_DECLARATIONS } from "../../core/cow.ts";
import { fpuDeclarations, testasmDeclarations, TRAP_TEST_DECLARATIONS, UVM_DECLARATIONS } from "../declarations.ts";

const noreturn = "__attribute__((noreturn))";

export function declarations({ kernel: k }: KernelTemplateInput): DeclarationGroup[] {
  const tests = k.testMode !== "off";
  const a = "arch/aarch64";
  return [
    [`${a}/boot.S`, ["extern uint64 boot_cycles; /* the counter (CNTVCT_EL0) when kmain was called */", "extern uint64 boot_el;     /* the exception level the loader entered at */"]],
    ["core/cow.c", COW_DECLARATIONS],
    [`${a}/fpu.c`, fpuDeclarations(k)],
    [`${a}/memmap.c`, ["void memmap_init(uint32 magic, uint64 info); /* arch_memory_init */"]],
    [`${a}/power.c`, [`void arch_halt(int status) ${noreturn};`]],
    [`${a}/serial.c`, ["void uart_init(void);", "void uart_putc(int c);"]],
    [`${a}/swtch.S`, ["void swtch(uint64 *old_sp, uint64 new_sp);", "void fpu_save_regs(uint8 *q, uint64 *ctrl);", "void fpu_load_regs(const uint8 *q, const uint64 *ctrl);", "void fpu_zero_regs(void);"]],
    ...(tests
      ? [[`${a}/testasm.S`, testasmDeclarations("test_undef")] as DeclarationGroup]
      : []),
    [`${a}/timer.c`, ["#define TIMER_INTID 30 /* the EL1 physical timer's PPI */", "extern uint64 cycles_per_us; /* arch_cycles (PMCCNTR_EL0) per microsecond */", "extern const uint32 timeslice_us;", "extern volatile uint64 ticks;", "void timer_init(void);", "void timer_intr(void);", "uint32 gic_ack(void);", "void gic_eoi(uint32 iar);"]],
    [`${a}/trap.c`, [
      "extern uint64 kernel_stack_top; /* arch_set_kernel_stack */",
      "void trap_init(void);",
      "void backtrace(uint64 fp);",
      "struct trapframe;",
      `void user_return(struct trapframe *tf) ${noreturn};`,
      ...(tests ? TRAP_TEST_DECLARATIONS : []),
    ]],
    [`${a}/vectors.S`, [`void enter_user(uint64 pc, uint64 sp, uint64 arg0, uint64 arg1) ${noreturn};`]],
    [`${a}/vm.c`, [
      ...UVM_DECLARATIONS,
      "uint64 kernel_space(void); /* arch_kernel_space */",
      "void vm_drop_low_map(void);"]],
  ];
}
