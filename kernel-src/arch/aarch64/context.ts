// arch/aarch64/context.c: arch_context_init, the first context of a new
// kernel thread, laid out as swtch.S restores it.
import { emit, type Template } from "../../template.ts";

const source = "arch/aarch64/context.ts";

export const context: Template = {
  source,
  render() {
    const summary = "arch_context_init: a new thread's stack as swtch restores it, so that its first switch runs thread_entry(fn, arg).";
    return emit({ source, path: "arch/aarch64/context.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "arch.h"');
      w.blank();
      w.line("extern void thread_start(void);");
      w.blank();
      w.comment(
        "The stack holds what swtch restores (12 words, 16-byte aligned): x29 0 (ends",
        "the backtrace), x30 thread_start (swtch's ret goes there), fn in x19 and arg",
        "in x20, the other callee-saved registers 0. Returns the stack pointer swtch loads.",
      );
      w.fn("uint64 arch_context_init(void *top, void (*fn)(void *), void *arg)", () => {
        w.c`
          uint64 *sp = (uint64 *)((uint64)top & ~15UL) - 12;
          memset(sp, 0, 12 * sizeof *sp);
          sp[1] = (uint64)thread_start; /* x30 */
          sp[2] = (uint64)fn;           /* x19 */
          sp[3] = (uint64)arg;          /* x20 */
          return (uint64)sp;
        `;
      });
    });
  },
};
