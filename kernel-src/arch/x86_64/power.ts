// arch/x86_64/power.c: how the kernel stops. With kernel.debugExit it ends
// QEMU through isa-debug-exit; without it, that code is not generated at all.
import type { KernelTemplateInput } from "../../input.ts";
import { inlineDefines } from "../../params.ts";
import { emit, type Template } from "../../template.ts";

const source = "arch/x86_64/power.ts";

export const power: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    const summary = k.debugExit
      ? "arch_halt: hand the kernel's status to QEMU's isa-debug-exit device, then halt."
      : "arch_halt: halt forever (built without kernel.debugExit, so nothing ends QEMU).";
    return emit({ source, path: "arch/x86_64/power.c", summary, options: ["kernel.debugExit"] }, (w) => {
      w.line('#include "types.h"', '#include "cpu.h"', '#include "defs.h"');
      w.blank();
      if (k.debugExit) w.line(...inlineDefines([["EXO_DEBUG_EXIT_PORT", "0xf4", "kernel.debugExit"]])).blank();
      if (k.debugExit) {
        w.comment(
          "Stop with status: 0 means the boot succeeded. QEMU's isa-debug-exit",
          "device (-device isa-debug-exit,iobase=0xf4,iosize=0x04) exits QEMU with",
          "(status << 1) | 1, so 0 becomes 1 and 1 becomes 3. Without the device",
          "the write does nothing and the CPU halts.",
        );
        w.fn("void arch_halt(int status)", () => {
          w.line("outb(EXO_DEBUG_EXIT_PORT, (uint8)status);");
          w.line("cpu_halt();");
        });
      } else {
        w.comment("Stop for good; status has no one to go to.");
        w.fn("void arch_halt(int status)", () => {
          w.line("(void)status;");
          w.line("cpu_halt();");
        });
      }
    });
  },
};
