// arch/riscv64/swtch.S: the windowed context switch. Only what the calling
// convention says a callee must preserve (s0-s11) plus ra and sp changes
// hands: the caller of swtch has already saved everything else.
import { emit, type Template } from "../../template.ts";

const source = "arch/riscv64/swtch.ts";

/** What swtch saves, lowest address first; context.c builds a new thread's stack in this order. */
export const SWITCH_REGS = ["ra", "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11"] as const;
/** Their stack space, 16-byte aligned. */
export const SWITCH_BYTES = Math.ceil((SWITCH_REGS.length * 8) / 16) * 16;

export const swtch: Template = {
  source,
  render() {
    const summary = "swtch: save ra and s0-s11 on the old stack, switch stacks, restore them from the new one; and the first return of a new thread.";
    return emit({ source, path: "arch/riscv64/swtch.S", summary, options: [] }, (w) => {
      w.comment(
        "void swtch(uint64 *old_sp, uint64 new_sp): save ra and s0-s11 below sp,",
        "store sp in *old_sp, load new_sp, restore that thread's and return into it.",
      );
      w.line(".text", ".globl swtch", ".globl thread_start");
      w.line("swtch:").indent(() => {
        w.line(`addi sp, sp, -${SWITCH_BYTES}`, ...SWITCH_REGS.map((r, i) => `sd ${r}, ${i * 8}(sp)`));
        w.line("sd sp, 0(a0)", "mv sp, a1");
        w.line(...SWITCH_REGS.map((r, i) => `ld ${r}, ${i * 8}(sp)`), `addi sp, sp, ${SWITCH_BYTES}`, "ret");
      });
      w.blank();
      w.comment(
        "A new thread's first swtch returns here (arch_context_init in context.c",
        "builds that stack), with its function in s1 and argument in s2: thread_entry(fn, arg).",
      );
      w.line("thread_start:").indent(() => w.line("mv a0, s1", "mv a1, s2", "call thread_entry", "unimp"));
    });
  },
};
