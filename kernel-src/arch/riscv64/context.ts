// arch/riscv64/context.c: arch_context_init, the first context of a new
// kernel thread, laid out as swtch.S restores it.
import { emit, type Template } from "../../template.ts";
import { SWITCH_BYTES, SWITCH_REGS } from "./swtch.ts";

const source = "arch/riscv64/context.ts";

const slot = (r: (typeof SWITCH_REGS)[number]): number => SWITCH_REGS.indexOf(r);

export const context: Template = {
  source,
  render() {
    const summary = "arch_context_init: a new thread's stack as swtch restores it, so that its first switch runs thread_entry(fn, arg).";
    return emit({ source, path: "arch/riscv64/context.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "arch.h"');
      w.blank();
      w.line("extern void thread_start(void);");
      w.blank();
      w.comment(
        "The stack holds what swtch restores: ra is thread_start (swtch.S), s0 0",
        "ends the backtrace, fn in s1 and arg in s2. Returns the sp swtch loads.",
      );
      w.fn("uint64 arch_context_init(void *top, void (*fn)(void *), void *arg)", () => {
        w.c`
          uint64 *sp = (uint64 *)((uint64)top & ~15UL) - ${SWITCH_BYTES / 8};
          memset(sp, 0, ${SWITCH_BYTES});
          sp[${slot("ra")}] = (uint64)thread_start;
          sp[${slot("s1")}] = (uint64)fn;
          sp[${slot("s2")}] = (uint64)arg;
          return (uint64)sp;
        `;
      });
    });
  },
};
