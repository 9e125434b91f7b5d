// arch/x86_64/pku.c: the memory-isolation decision (kernel.memory.isolation).
// `auto` asks CPUID for protection keys (PKU) and uses them when present;
// `mpk` insists on them (falling back, loudly, when the CPU has none);
// `compat` never looks.
import type { KernelTemplateInput } from "../../input.ts";
import { emit, type Template } from "../../template.ts";

const source = "arch/x86_64/pku.ts";

export const pku: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    const iso = k.memory.isolation;
    const summary = "Memory isolation: detect protection keys (PKU) through CPUID, choose mpk or compat, and print the decision.";
    return emit({ source, path: "arch/x86_64/pku.c", summary, options: ["kernel.memory.isolation"] }, (w) => {
      w.line('#include "types.h"', '#include "cpu.h"', '#include "defs.h"');
      w.blank();
      w.comment("1 when protection keys isolate memory domains, 0 when page tables alone do.");
      w.line("int isolation_mpk;");
      w.blank();
      if (iso === "compat") {
        w.comment("kernel.memory.isolation = compat: page tables only, PKU is not even looked for.");
        w.fn("void isolation_init(void)", () => w.line('kprintf("exo: memory: isolation compat (configured)\\n");'));
        return;
      }
      w.comment("CPUID leaf 7, subleaf 0: ECX bit 3 says the CPU has protection keys.");
      w.fn("static int has_pku(void)", () => {
        w.line(`uint32 a, b, c, d;
cpuid(0, 0, &a, &b, &c, &d);
if (a < 7)
    return 0;
cpuid(7, 0, &a, &b, &c, &d);
return (c & CPUID7_ECX_PKU) != 0;`);
      });
      w.blank();
      w.comment(`kernel.memory.isolation = ${iso}: use protection keys (CR4.PKE) when the CPU has them.`);
      w.fn("void isolation_init(void)", () => {
        w.line(`if (has_pku()) {
    write_cr4(read_cr4() | CR4_PKE);
    isolation_mpk = 1;
    kprintf("exo: memory: isolation mpk (PKU)\\n");
} else {
    kprintf("exo: memory: isolation compat (no PKU${iso === "mpk" ? "; kernel.memory.isolation = mpk needs it" : ""})\\n");
}`);
      });
    });
  },
};
