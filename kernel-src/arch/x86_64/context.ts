// arch/x86_64/context.c: arch_context_init, the first context of a new
// kernel thread, laid out as swtch.S pops it.
import { emit, type Template } from "../../template.ts";

const source = "arch/x86_64/context.ts";

export const context: Template = {
  source,
  render() {
    const summary = "arch_context_init: a new thread's stack as swtch pops it, so that its first switch runs thread_entry(fn, arg).";
    return emit({ source, path: "arch/x86_64/context.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "arch.h"');
      w.blank();
      w.line("extern void thread_start(void);");
      w.blank();
      w.comment(
        "The stack holds what swtch pops: six callee-saved registers, fn in R12",
        "and arg in R13, then thread_start (swtch.S) as the return address, which",
        "calls thread_entry(fn, arg). Returns the stack pointer swtch loads.",
      );
      w.fn("uint64 arch_context_init(void *top, void (*fn)(void *), void *arg)", () => {
        w.line(`uint64 *sp = (uint64 *)top;
*--sp = (uint64)thread_start; /* swtch's ret goes here, leaving RSP 16-byte aligned */
*--sp = 0;                    /* rbp: ends the backtrace */
*--sp = 0;                    /* rbx */
*--sp = (uint64)fn;           /* r12 */
*--sp = (uint64)arg;          /* r13 */
*--sp = 0;                    /* r14 */
*--sp = 0;                    /* r15 */
return (uint64)sp;`);
      });
    });
  },
};
