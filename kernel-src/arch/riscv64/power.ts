// arch/riscv64/power.c: how the kernel stops. With kernel.debugExit it ends
// QEMU through the virt machine's SiFive test finisher (physical 0x100000),
// and the SBI's system reset should that write not stop it; without it, the
// hart waits for good.
import type { KernelTemplateInput } from "../../input.ts";
import { emit, type Template } from "../../template.ts";

const source = "arch/riscv64/power.ts";

export const power: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    const summary = k.debugExit
      ? "arch_halt: hand the kernel's status to QEMU through the SiFive test finisher (exit code (status << 1) | 1), then SBI system reset, then wait."
      : "arch_halt: wait forever (built without kernel.debugExit, so nothing ends QEMU).";
    return emit({ source, path: "arch/riscv64/power.c", summary, options: ["kernel.debugExit"] }, (w) => {
      w.line('#include "types.h"', '#include "riscv.h"', '#include "memlayout.h"', '#include "defs.h"');
      w.blank();
      w.c`
        /* Interrupts off, then wait for an interrupt that never comes. */
        static void __attribute__((noreturn)) hart_stop(void)
        {
            intr_off();
            for (;;)
                __asm__ volatile("wfi");
        }
      `;
      w.blank();
      if (k.debugExit) {
        w.c`
          #define TEST_FINISHER 0x100000UL /* QEMU virt's sifive_test */
          #define FINISHER_FAIL 0x3333     /* exit QEMU with the code in bits 16-31 */

          /*
           * Stop with status: 0 means the boot succeeded. QEMU exits with
           * (status << 1) | 1, as x86_64's isa-debug-exit makes it, so exo run reads
           * both alike. Should the write not stop it, the SBI's system reset (a
           * failure unless status is 0), then wait.
           */
          void arch_halt(int status)
          {
              uint32 code = ((uint32)status << 1) | 1;
              *(volatile uint32 *)(KERNBASE + TEST_FINISHER) = (code << 16) | FINISHER_FAIL;
              sbi_call(SBI_EXT_SRST, 0, 0, status == 0 ? 0 : 1, 0, NULL);
              hart_stop();
          }
        `;
      } else {
        w.c`
          /* Stop for good; status has no one to go to. */
          void arch_halt(int status)
          {
              (void)status;
              hart_stop();
          }
        `;
      }
    });
  },
};
