// arch/aarch64/fpu.c: FP/SIMD state across context switches. The kernel itself
// is built with -mgeneral-regs-only, so only threads that run FP code (user
// programs, or the self-tests' assembly) have state to keep. Lazy
// (kernel.contextSwitch.lazyFpu): CPACR_EL1.FPEN traps FP/SIMD at EL0 and EL1
// after every switch, and the first use (exception class 0x07) saves the
// previous owner's q0-q31, FPCR and FPSR and loads the current thread's. Eager:
// every switch saves and restores them.
import type { KernelTemplateInput } from "../../input.ts";
import { emit, type Template } from "../../template.ts";

const source = "arch/aarch64/fpu.ts";

export const fpu: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    const lazy = k.contextSwitch.lazyFpu;
    const summary = lazy
      ? "Lazy FP/SIMD switching: CPACR_EL1.FPEN traps after every switch, state saved and restored on the trap, only for threads that use it."
      : "Eager FP/SIMD switching: every context switch saves the old thread's state and restores the new one's.";
    return emit({ source, path: "arch/aarch64/fpu.c", summary, options: ["kernel.contextSwitch.lazyFpu"] }, (w) => {
      w.line('#include "types.h"', '#include "cpu.h"', '#include "thread.h"', '#include "defs.h"');
      w.blank();
      w.line("#define FPU_Q_BYTES 512 /* q0-q31 */");
      w.comment(
        "FPCR and FPSR follow q0-q31 in a thread's save area when struct thread makes",
        "room for them (16 bytes past the 512 of x86_64's FXSAVE); buffers of 512",
        "bytes (fork's, a signal frame's) carry only q0-q31.",
      );
      w.line("#define FPU_CTRL(t) (sizeof((t)->fpu) >= FPU_Q_BYTES + 16 ? (uint64 *)((uint8 *)(t)->fpu + FPU_Q_BYTES) : (uint64 *)0)");
      w.blank();
      w.fn("static inline void fpu_enable(void)", () => w.line("write_sysreg(cpacr_el1, CPACR_FPEN_ON);", "isb();"));
      if (lazy) w.fn("static inline void fpu_disable(void)", () => w.line("write_sysreg(cpacr_el1, 0);", "isb();"));
      w.blank();
      w.comment("How many times state was saved, for the self-test of the FPU switching.");
      w.line("uint64 fpu_saves;");
      if (lazy) {
        w.line("uint64 fpu_traps;");
        w.comment("The thread whose state is in the FP/SIMD registers now, or NULL.");
        w.line("static struct thread *fpu_owner;");
      }
      w.blank();
      w.comment(lazy ? "Clean registers, then FP/SIMD trapping: the first use of any thread traps." : "FP/SIMD on for good, clean registers.");
      w.fn("void fpu_init(void)", () => {
        w.line("fpu_enable();", "fpu_zero_regs();");
        if (lazy) w.line("fpu_disable();");
        w.line(`kprintf("exo: fpu: ${lazy ? "lazy (CPACR_EL1.FPEN trap)" : "eager (saved on every switch)"}\\n");`);
      });
      w.blank();
      w.comment("Copy the current thread's q0-q31 into dst (512 bytes, 16-aligned): for fork and a signal's frame.");
      w.fn("void fpu_copy_current(uint8 *dst)", () => {
        w.line("struct thread *t = curthread;");
        if (lazy) w.line("if (fpu_owner == t) {").indent(() => w.line("fpu_enable(); /* the owner runs: its state is in the registers */", "fpu_save_regs(dst, NULL);", "return;"));
        else w.line("{").indent(() => w.line("fpu_save_regs(dst, NULL);", "return;"));
        w.line("}");
        w.line("if (t->fpu_used)").indent(() => w.line("memcpy(dst, t->fpu, FPU_Q_BYTES);"));
        w.line("else").indent(() => w.line("memset(dst, 0, FPU_Q_BYTES);"));
      });
      w.blank();
      w.comment("Make src (q0-q31, 512 bytes already in the kernel) the current thread's FP/SIMD registers (sigreturn); FPCR and FPSR stay.");
      w.fn("void fpu_load_current(uint8 *src)", () => {
        w.line("struct thread *t = curthread;", "memcpy(t->fpu, src, FPU_Q_BYTES);");
        if (lazy) {
          w.line("if (fpu_owner == t) {").indent(() => w.line("fpu_enable();", "fpu_load_regs(t->fpu, FPU_CTRL(t));"));
          w.line("}");
          w.line("t->fpu_used = 1;");
        } else w.line("t->fpu_used = 1;", "fpu_load_regs(t->fpu, FPU_CTRL(t));");
      });
      w.blank();
      w.comment("Give a new thread (a forked child) the registers src (q0-q31).");
      w.fn("void fpu_give(struct thread *t, const uint8 *src)", () => w.line("memcpy(t->fpu, src, FPU_Q_BYTES);", "t->fpu_used = 1;"));
      w.blank();
      if (lazy) {
        w.comment("On a switch, arm the trap: whoever runs next pays for FP/SIMD only if it uses it.");
        w.fn("void fpu_switch(struct thread *old, struct thread *next)", () => {
          w.line("(void)old;", "(void)next;", "fpu_disable();");
        });
        w.blank();
        w.comment("The current thread used FP/SIMD: save the owner's state, load ours (or a clean one).");
        w.fn("void fpu_trap(void)", () => {
          w.c`
            struct thread *t = curthread;
            fpu_enable();
            fpu_traps++;
            if (fpu_owner == t)
                return;
            if (fpu_owner != NULL) {
                fpu_save_regs(fpu_owner->fpu, FPU_CTRL(fpu_owner));
                fpu_saves++;
            }
            if (t->fpu_used)
                fpu_load_regs(t->fpu, FPU_CTRL(t));
            else
                fpu_zero_regs();
            t->fpu_used = 1;
            fpu_owner = t;
          `;
        });
        w.blank();
        w.comment("A thread is gone: its state must not be saved into freed memory.");
        w.fn("void fpu_forget(struct thread *t)", () => {
          w.line("if (fpu_owner == t)").indent(() => w.line("fpu_owner = NULL;"));
        });
      } else {
        w.comment("Save every thread's state and restore the next one's, FP user or not.");
        w.fn("void fpu_switch(struct thread *old, struct thread *next)", () => {
          w.line("fpu_save_regs(old->fpu, FPU_CTRL(old));", "fpu_saves++;", "old->fpu_used = 1;");
          w.line("if (next->fpu_used)").indent(() => w.line("fpu_load_regs(next->fpu, FPU_CTRL(next));"));
          w.line("else").indent(() => w.line("fpu_zero_regs();"));
        });
        w.blank();
        w.fn("void fpu_forget(struct thread *t)", () => w.line("(void)t;"));
      }
    });
  },
};
