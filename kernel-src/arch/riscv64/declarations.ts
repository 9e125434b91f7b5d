// include/defs.h's groups for the riscv64 port's own files: what each of them
// defines for the others, for arch.h's inline entries and for the core.
import type { KernelTemplateInput } from "../../input.ts";
import type { DeclarationGroup } from "../../port.ts";
import { COW_DECLARATIONS } from "../../core/cow.ts";
import { fpuDeclarations, testasmDeclarations, TRAP_TEST_DECLARATIONS, UVM_DECLARATIONS } from "../declarations.ts";

const noreturn = "__attribute__((noreturn))";

export function declarations({ kernel: k }: KernelTemplateInput): DeclarationGroup[] {
  const tests = k.testMode !== "off";
  const a = "arch/riscv64";
  return [
    ["core/cow.c", ["#define PTE_COW 0x200 /* a leaf's RSW bit 9: shared since a fork, copied on the first write */", ...COW_DECLARATIONS]],
    [`${a}/cpu.c`, ["extern uint64 kstack_top; /* arch_set_kernel_stack's, for entry.S */"]],
    [`${a}/entry.S`, [`void enter_user(uint64 pc, uint64 sp, uint64 arg0, uint64 arg1) ${noreturn};`, "struct trapframe;", `void user_return(struct trapframe *tf) ${noreturn};`]],
    [`${a}/fpu.c`, fpuDeclarations(k)],
    [`${a}/serial.c`, ["void uart_init(void);"]],
    [`${a}/swtch.S`, ["void swtch(uint64 *old_sp, uint64 new_sp);"]],
    ...(tests
      ? [[`${a}/testasm.S`, testasmDeclarations("test_illegal")] as DeclarationGroup]
      : []),
    [`${a}/timer.c`, ["extern uint64 cycles_per_us; /* cycle CSR ticks per microsecond */", "extern uint64 timebase_per_us; /* time CSR ticks per microsecond */", "extern const uint32 timeslice_us;", "extern volatile uint64 ticks;", "void timer_intr(void);"]],
    [`${a}/vm.c`, [
      ...UVM_DECLARATIONS,
      "uint64 kernel_space(void); /* arch_kernel_space */",
      "void vm_drop_identity(void);"]],
    [`${a}/trap.c`, ["extern uint64 trap_stval; /* arch_fault_addr */", "void trap_init(void);", "void backtrace(uint64 fp);", ...(k.testMode === "selftest" ? TRAP_TEST_DECLARATIONS : [])]],
  ];
}
