// arch/aarch64/power.c: how the kernel stops. Under QEMU with semihosting
// (-semihosting-config enable=on,target=native), SYS_EXIT_EXTENDED ends QEMU
// with an exit code of our choosing: (status << 1) | 1, as x86_64's
// isa-debug-exit gives. Without it (a firmware boot) the HLT is an undefined
// instruction, which trap.c skips, and PSCI SYSTEM_OFF (HVC, or SMC when we
// came in at EL2) powers the machine off after the status is printed.
import { emit, type Template } from "../../template.ts";

const source = "arch/aarch64/power.ts";

export const power: Template = {
  source,
  render() {
    const summary = "arch_halt: the status to QEMU through semihosting's SYS_EXIT_EXTENDED, else printed and PSCI SYSTEM_OFF.";
    return emit({ source, path: "arch/aarch64/power.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "cpu.h"', '#include "defs.h"');
      w.blank();
      w.line(
        "#define SYS_EXIT_EXTENDED 0x20            /* semihosting operation */",
        "#define ADP_STOPPED_APPLICATION_EXIT 0x20026",
        "#define PSCI_SYSTEM_OFF 0x84000008",
      );
      w.blank();
      w.comment("Where the semihosting HLT is, so that trap.c can step over it when no debugger (QEMU) takes it.");
      w.line("extern const char semihost_hlt[];", "extern uint64 boot_el; /* boot.S: 2 if entered at EL2, whose PSCI conduit is SMC */");
      w.blank();
      w.comment(
        "Stop with status: 0 means the boot succeeded. QEMU exits with the subcode,",
        "(status << 1) | 1, so 0 becomes 1 and 1 becomes 3; an even code means the kernel",
        "never got here.",
      );
      w.fn("void arch_halt(int status)", () => {
        w.c`
          static volatile uint64 block[2];
          intr_off();
          block[0] = ADP_STOPPED_APPLICATION_EXIT;
          block[1] = ((uint64)status << 1) | 1;
          kprintf("exo: halt status %d\n", status);
          register uint64 x0 __asm__("x0") = SYS_EXIT_EXTENDED;
          register uint64 x1 __asm__("x1") = (uint64)block;
          __asm__ volatile(".globl semihost_hlt\nsemihost_hlt: hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
          register uint64 fn __asm__("x0") = PSCI_SYSTEM_OFF;
          if (boot_el == 2)
              __asm__ volatile("smc #0" : "+r"(fn) : : "memory");
          else
              __asm__ volatile("hvc #0" : "+r"(fn) : : "memory");
          cpu_halt();
        `;
      });
    });
  },
};
