// arch/aarch64/swtch.S: the windowed context switch. Only what AAPCS64 says a
// callee must preserve (x19-x28, x29, x30 as the resume address) plus SP
// changes hands: the caller of swtch has already saved everything else, and
// the kernel keeps no FP/SIMD state (-mgeneral-regs-only; fpu.c handles d8-d15
// along with the rest for user threads).
import { emit, type Template } from "../../template.ts";

const source = "arch/aarch64/swtch.ts";

export const swtch: Template = {
  source,
  render() {
    const summary = "swtch: save the callee-saved registers on the old stack, switch stacks, restore them from the new one; the first return of a new thread; FP/SIMD register save and load for fpu.c.";
    return emit({ source, path: "arch/aarch64/swtch.S", summary, options: [] }, (w) => {
      w.comment(
        "void swtch(uint64 *old_sp, uint64 new_sp): push x29, x30 and x19-x28 (96",
        "bytes), store SP in *old_sp, load new_sp, pop that thread's twelve and return",
        "into it through its x30.",
      );
      w.c`
        .text
        .globl swtch
        .globl thread_start
        swtch:
            stp x29, x30, [sp, #-96]!
            stp x19, x20, [sp, #16]
            stp x21, x22, [sp, #32]
            stp x23, x24, [sp, #48]
            stp x25, x26, [sp, #64]
            stp x27, x28, [sp, #80]
            mov x9, sp
            str x9, [x0]
            mov sp, x1
            ldp x19, x20, [sp, #16]
            ldp x21, x22, [sp, #32]
            ldp x23, x24, [sp, #48]
            ldp x25, x26, [sp, #64]
            ldp x27, x28, [sp, #80]
            ldp x29, x30, [sp], #96
            ret
      `;
      w.blank();
      w.comment(
        "A new thread's first swtch returns here (arch_context_init in context.c builds",
        "that stack), with its function in x19 and argument in x20: thread_entry(fn, arg).",
      );
      w.c`
        thread_start:
            mov x0, x19
            mov x1, x20
            bl thread_entry
            udf #0
      `;
      w.blank();
      w.comment(
        "FP/SIMD state for fpu.c, which as C may not name the registers",
        "(-mgeneral-regs-only). void fpu_save_regs(uint8 *q, uint64 *ctrl): q0-q31 into",
        "q (512 bytes, 16-aligned), FPCR and FPSR into ctrl[0..1] unless ctrl is NULL.",
        "void fpu_load_regs(const uint8 *q, const uint64 *ctrl): back (FPCR and FPSR 0",
        "when ctrl is NULL). void fpu_zero_regs(void): the state of a thread that never",
        "used them. FP/SIMD must not trap (CPACR_EL1.FPEN) when they run.",
      );
      const pairs = Array.from({ length: 16 }, (_, i) => [2 * i, 2 * i + 1] as const);
      w.line(".globl fpu_save_regs", ".globl fpu_load_regs", ".globl fpu_zero_regs");
      w.line("fpu_save_regs:").indent(() => {
        w.line(...pairs.map(([a, b]) => `stp q${a}, q${b}, [x0, #${a * 16}]`));
        w.line("cbz x1, 1f", "mrs x2, fpcr", "mrs x3, fpsr", "stp x2, x3, [x1]");
      });
      w.line("1:").indent(() => w.line("ret"));
      w.line("fpu_load_regs:").indent(() => {
        w.line(...pairs.map(([a, b]) => `ldp q${a}, q${b}, [x0, #${a * 16}]`));
        w.line("mov x2, #0", "mov x3, #0", "cbz x1, 2f", "ldp x2, x3, [x1]");
      });
      w.line("2:").indent(() => w.line("msr fpcr, x2", "msr fpsr, x3", "ret"));
      w.line("fpu_zero_regs:").indent(() => {
        w.line(...Array.from({ length: 32 }, (_, i) => `movi v${i}.2d, #0`));
        w.line("msr fpcr, xzr", "msr fpsr, xzr", "ret");
      });
    });
  },
};
