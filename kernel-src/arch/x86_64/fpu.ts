// arch/x86_64/fpu.c: FPU/SSE state across context switches. The kernel itself
// is built with -mno-sse -mno-80387, so only threads that run FPU code (asm,
// or files built with their own flags) have state to keep. Lazy
// (kernel.contextSwitch.lazyFpu): CR0.TS is set on every switch and the first
// FPU instruction after it traps (#NM), which saves the previous owner's state
// and loads the new one's. Eager: every switch saves and restores it.
import type { KernelTemplateInput } from "../../input.ts";
import { emit, type Template } from "../../template.ts";

const source = "arch/x86_64/fpu.ts";

export const fpu: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    const lazy = k.contextSwitch.lazyFpu;
    const summary = lazy
      ? "Lazy FPU/SSE switching: CR0.TS on every switch, state saved and restored in the #NM handler, only for threads that use it."
      : "Eager FPU/SSE switching: every context switch saves the old thread's state and restores the new one's.";
    return emit({ source, path: "arch/x86_64/fpu.c", summary, options: ["kernel.contextSwitch.lazyFpu"] }, (w) => {
      w.line('#include "types.h"', '#include "cpu.h"', '#include "thread.h"', '#include "defs.h"');
      w.blank();
      w.c`
        static inline void fxsave(uint8 *area)
        {
            __asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory");
        }
        static inline void fxrstor(const uint8 *area)
        {
            __asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
        }
        static inline void fninit(void)
        {
            __asm__ volatile("fninit");
        }
      `;
      w.blank();
      w.comment("How many times state was saved, for the self-test of the FPU switching.");
      w.line("uint64 fpu_saves;");
      if (lazy) {
        w.line("uint64 fpu_traps;");
        w.comment("The thread whose state is in the FPU registers now, or NULL.");
        w.line("static struct thread *fpu_owner;");
      }
      w.blank();
      w.comment("Enable SSE (CR4.OSFXSR) with a real FPU (CR0.EM clear, MP set) and take the initial state as the template.");
      w.fn("void fpu_init(void)", () => {
        w.line("write_cr0((read_cr0() & ~(uint64)(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE);");
        w.line("write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);");
        w.line("fninit();");
        if (lazy) w.line("write_cr0(read_cr0() | CR0_TS); /* the first FPU instruction of any thread traps */");
        w.line(`kprintf("exo: fpu: ${lazy ? "lazy (CR0.TS and #NM)" : "eager (saved on every switch)"}\\n");`);
      });
      w.blank();
      w.comment("The FPU state a thread starts with (FNINIT's, and MXCSR's default): the registers of a process that never used the FPU.");
      w.fn("static void fpu_clean(uint8 *area)", () => {
        w.line("memset(area, 0, 512);", "*(uint16 *)area = 0x37f; /* FCW */", "*(uint32 *)(area + 24) = 0x1f80; /* MXCSR */");
      });
      w.blank();
      w.comment("Copy the current thread's FPU state into dst (512 bytes, 16-aligned): for fork and a signal's frame.");
      w.fn("void fpu_copy_current(uint8 *dst)", () => {
        w.line("struct thread *t = curthread;");
        if (lazy) w.line("if (fpu_owner == t) {").indent(() => w.line("clts(); /* the owner runs: its state is in the registers */", "fxsave(dst);", "return;"));
        else w.line("{").indent(() => w.line("fxsave(dst);", "return;"));
        w.line("}");
        w.line("if (t->fpu_used)").indent(() => w.line("memcpy(dst, t->fpu, 512);"));
        w.line("else").indent(() => w.line("fpu_clean(dst);"));
      });
      w.blank();
      w.comment(
        "Make src (512 bytes from user memory, already copied into the kernel) the",
        "current thread's FPU state (sigreturn). MXCSR's reserved bits are cleared",
        "first: FXRSTOR of them would fault in the kernel.",
      );
      w.fn("void fpu_load_current(uint8 *src)", () => {
        w.line("struct thread *t = curthread;", "*(uint32 *)(src + 24) &= 0xffbf;", "*(uint32 *)(src + 28) = 0; /* MXCSR_MASK is read-only */");
        if (lazy) {
          w.line("memcpy(t->fpu, src, 512);", "t->fpu_used = 1;", "if (fpu_owner == t) {").indent(() => w.line("clts();", "fxrstor(t->fpu);"));
          w.line("}");
        } else w.line("memcpy(t->fpu, src, 512);", "t->fpu_used = 1;", "fxrstor(t->fpu);");
      });
      w.blank();
      w.comment("Give a new thread (a forked child) the FPU state src.");
      w.fn("void fpu_give(struct thread *t, const uint8 *src)", () => w.line("memcpy(t->fpu, src, 512);", "t->fpu_used = 1;"));
      w.blank();
      if (lazy) {
        w.comment("On a switch, arm the trap: whoever runs next pays for the FPU only if it uses it.");
        w.fn("void fpu_switch(struct thread *old, struct thread *next)", () => {
          w.line("uint64 cr0 = read_cr0();", "(void)old;", "(void)next;", "if (!(cr0 & CR0_TS)) /* already set unless the FPU was used since: no CR0 write, which serialises */").indent(() => w.line("write_cr0(cr0 | CR0_TS);"));
        });
        w.blank();
        w.comment("#NM: the current thread touched the FPU. Save the owner's state, load ours (or a clean one).");
        w.fn("void fpu_trap(void)", () => {
          w.line(`struct thread *t = curthread;
clts();
fpu_traps++;
if (fpu_owner == t)
    return;
if (fpu_owner != NULL) {
    fxsave(fpu_owner->fpu);
    fpu_saves++;
}
if (t->fpu_used)
    fxrstor(t->fpu);
else
    fninit();
t->fpu_used = 1;
fpu_owner = t;`);
        });
        w.blank();
        w.comment("A thread is gone: its state must not be saved into freed memory.");
        w.fn("void fpu_forget(struct thread *t)", () => {
          w.line("if (fpu_owner == t)").indent(() => w.line("fpu_owner = NULL;"));
        });
      } else {
        w.comment("Save every thread's state and restore the next one's, FPU user or not.");
        w.fn("void fpu_switch(struct thread *old, struct thread *next)", () => {
          w.line("fxsave(old->fpu);", "fpu_saves++;", "old->fpu_used = 1;");
          w.line("if (next->fpu_used)").indent(() => w.line("fxrstor(next->fpu);"));
          w.line("else").indent(() => w.line("fninit();"));
        });
        w.blank();
        w.fn("void fpu_forget(struct thread *t)", () => w.line("(void)t;"));
      }
    });
  },
};
