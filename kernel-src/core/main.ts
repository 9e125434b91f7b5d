// core/main.c: kmain, where boot.S hands over. It prints the banner, runs the
// boot self-checks of the features built in, and stops the machine.
import type { KernelTemplateInput } from "../input.ts";
import { emit, type Template } from "../template.ts";
import type { Writer } from "../writer.ts";

const source = "core/main.ts";

function loaderName(w: Writer): void {
  w.comment("Name the boot protocol from the magic value the loader left in EAX.");
  w.fn("static const char *loader_name(uint32 magic)", () => {
    w.line("switch (magic) {");
    w.line("case MB1_LOADER_MAGIC:").indent(() => w.line('return "multiboot1";'));
    w.line("case MB2_LOADER_MAGIC:").indent(() => w.line('return "multiboot2";'));
    w.line("default:").indent(() => w.line('return "unknown";'));
    w.line("}");
  });
}

export const main: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    const predictive = k.scheduler.policy === "predictive";
    const options = [
      ...(k.ipc.enable ? ["kernel.ipc.enable"] : []),
      "kernel.scheduler.policy",
      ...(predictive ? ["kernel.scheduler.emaAlpha"] : []),
      "kernel.scheduler.timesliceUs",
      "kernel.syscalls.hot",
      "kernel.syscalls.warm",
      "kernel.syscalls.cold",
    ];
    const summary = "kmain: the boot banner, the boot self-checks, then stop.";
    return emit({ source, path: "core/main.c", summary, options }, (w) => {
      w.line('#include "types.h"', '#include "param.h"', '#include "multiboot.h"', '#include "defs.h"');
      if (predictive) {
        w.blank();
        w.comment("kernel.scheduler.emaAlpha in hundredths, for the banner: the Q16 fraction, rounded.");
        w.line("#define ALPHA_HUNDREDTHS ((EXO_SCHED_EMA_ALPHA_Q16 * 100 + 32768) >> 16)");
      }
      w.blank();
      loaderName(w);
      w.blank();
      w.comment(
        "boot.S calls this on the boot stack, in long mode, with the first 1 GiB",
        "identity-mapped. magic and info are what the multiboot loader left in",
        "EAX and EBX. Does not return.",
      );
      w.fn("void kmain(uint32 magic, uint64 info)", () => {
        w.line("(void)info; /* the loader's memory map: read once there is a memory manager */");
        w.blank();
        w.line("uart_init();");
        w.line('kprintf("exo: booting %s (%s)\\n", build_system_name, build_arch);');
        w.line('kprintf("exo: config %s\\n", build_config_hash);');
        w.line('kprintf("exo: features %s\\n", build_features);');
        if (k.ipc.enable) w.line("ipc_init();");
        if (predictive) {
          w.line('kprintf("exo: sched: predictive, alpha %d.%02d, timeslice %d us\\n",');
          w.line("        ALPHA_HUNDREDTHS / 100, ALPHA_HUNDREDTHS % 100, EXO_SCHED_TIMESLICE_US);");
        } else {
          w.line('kprintf("exo: sched: round-robin, timeslice %d us\\n", EXO_SCHED_TIMESLICE_US);');
        }
        w.line('kprintf("exo: syscalls: hot %d warm %d cold %d\\n",');
        w.line("        EXO_SYSCALLS_HOT, EXO_SYSCALLS_WARM, EXO_SYSCALLS_COLD);");
        w.line('kprintf("exo: loader %s\\n", loader_name(magic));');
        w.line('kprintf("exo: boot complete\\n");');
        w.line("arch_exit(0);");
      });
    });
  },
};
