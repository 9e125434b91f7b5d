// arch/riscv64/cpu.c: the hart's own state: what kmain asks of the port
// first (arch_init_early: drop boot.S's identity map, the console) and once
// memory is up (arch_init_cpu: the trap vector, user-memory access, the
// counters user mode may read, the FPU policy), and the kernel stack a trap
// from user mode lands on (x86_64's TSS rsp0).
import { emit, type Template } from "../../template.ts";

const source = "arch/riscv64/cpu.ts";

export const cpu: Template = {
  source,
  render() {
    const summary = "arch_init_early, arch_init_cpu (trap vector, SUM, user counters, FPU) and arch_set_kernel_stack.";
    return emit({ source, path: "arch/riscv64/cpu.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "riscv.h"', '#include "arch.h"', '#include "defs.h"');
      w.blank();
      w.c`
        #define SCOUNTEREN_CY_TM_IR 0x7 /* cycle, time and instret readable in user mode */

        /* The current thread's kernel stack top: entry.S puts it in sscratch on the way to user mode. */
        uint64 kstack_top;

        /* kmain's first call, on the boot stack in the kernel's half: nothing below the kernel's half is mapped after it. */
        void arch_init_early(uint32 magic, uint64 info)
        {
            (void)magic;
            (void)info;
            vm_drop_identity();
            uart_init();
        }

        /*
         * Traps to entry.S; the kernel reads and writes user memory directly
         * (sstatus.SUM, after uvm_check), never executes it; user programs may
         * read the counters (cycles()); the FPU policy.
         */
        void arch_init_cpu(void)
        {
            trap_init();
            csr_set(sstatus, SSTATUS_SUM);
            csr_write(scounteren, SCOUNTEREN_CY_TM_IR);
            fpu_init();
        }

        void arch_set_kernel_stack(uint64 top)
        {
            kstack_top = top;
        }
      `;
    });
  },
};
