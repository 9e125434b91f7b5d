// arch/riscv64/fpu.c and fpuregs.S: FPU state (f0-f31 and fcsr) across
// context switches. The kernel is built for rv64imac, so no C file touches the
// FPU; fpuregs.S writes its F/D instructions as words (the assembler is given
// the same ISA). Lazy (kernel.contextSwitch.lazyFpu): every switch turns
// sstatus.FS Off, so the first FP instruction of whoever runs next traps
// (illegal instruction, trap.c), and only then is the previous owner's state
// saved (only if the hardware marked it Dirty) and the new one's loaded.
// Eager: every switch saves the old thread's state when Dirty and loads the
// next one's.
import type { KernelTemplateInput } from "../../input.ts";
import { emit, type Template } from "../../template.ts";

const source = "arch/riscv64/fpu.ts";

/** Bytes of a thread's FPU state: f0-f31, then fcsr. */
export const FPU_STATE_BYTES = 33 * 8;

const A0 = 10;
const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, "0")}`;
/** fsd fN, off(a0): S-type, funct3 3, opcode STORE-FP. */
const fsd = (f: number, off: number): string =>
  `.word ${hex((((off >> 5) & 0x7f) << 25) | (f << 20) | (A0 << 15) | (3 << 12) | ((off & 0x1f) << 7) | 0x27)} /* fsd f${f}, ${off}(a0) */`;
/** fld fN, off(a0): I-type, funct3 3, opcode LOAD-FP. */
const fld = (f: number, off: number): string => `.word ${hex((off << 20) | (A0 << 15) | (3 << 12) | (f << 7) | 0x07)} /* fld f${f}, ${off}(a0) */`;
/** fmv.d.x fN, xM: funct7 0x79, opcode OP-FP. */
export const fmvDX = (f: number, x: number): string => `.word ${hex((0x79 << 25) | (x << 15) | (f << 7) | 0x53)} /* fmv.d.x f${f}, x${x} */`;
/** fmv.x.d xM, fN: funct7 0x71. */
export const fmvXD = (x: number, f: number): string => `.word ${hex((0x71 << 25) | (f << 15) | (x << 7) | 0x53)} /* fmv.x.d x${x}, f${f} */`;

const FCSR = 0x003;
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

export const fpuRegs: Template = {
  source,
  render() {
    const summary = "Save, load and clear f0-f31 and fcsr (sstatus.FS must not be Off), the F/D instructions written as words.";
    return emit({ source, path: "arch/riscv64/fpuregs.S", summary, options: [] }, (w) => {
      w.line(".text", ".globl fpu_save_regs", ".globl fpu_load_regs", ".globl fpu_zero_regs");
      w.comment(`void fpu_save_regs(uint8 *area): f0-f31 at area, fcsr after them (${FPU_STATE_BYTES} bytes).`);
      w.line("fpu_save_regs:").indent(() => w.line(...range(32).map((f) => fsd(f, f * 8)), `csrr t0, ${FCSR} /* fcsr */`, "sd t0, 256(a0)", "ret"));
      w.comment("void fpu_load_regs(const uint8 *area): the reverse.");
      w.line("fpu_load_regs:").indent(() => w.line(...range(32).map((f) => fld(f, f * 8)), "ld t0, 256(a0)", `csrw ${FCSR}, t0 /* fcsr */`, "ret"));
      w.comment("void fpu_zero_regs(void): the state of a thread that never used the FPU: all zero, fcsr too.");
      w.line("fpu_zero_regs:").indent(() => w.line(...range(32).map((f) => fmvDX(f, 0)), `csrw ${FCSR}, zero /* fcsr */`, "ret"));
    });
  },
};

export const fpu: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    const lazy = k.contextSwitch.lazyFpu;
    const summary = lazy
      ? "Lazy FPU switching: sstatus.FS Off on every switch, state saved (when Dirty) and loaded in the illegal-instruction trap, only for threads that use it."
      : "Eager FPU switching: every context switch saves the old thread's state when Dirty and loads the next one's.";
    return emit({ source, path: "arch/riscv64/fpu.c", summary, options: ["kernel.contextSwitch.lazyFpu"] }, (w) => {
      w.line('#include "types.h"', '#include "riscv.h"', '#include "thread.h"', '#include "defs.h"');
      w.blank();
      w.c`
        #define FPU_STATE_BYTES ${FPU_STATE_BYTES} /* f0-f31 and fcsr, in struct thread's fpu area */
        _Static_assert(FPU_STATE_BYTES <= sizeof(((struct thread *)0)->fpu), "struct thread's fpu area holds the state");

        void fpu_save_regs(uint8 *area);
        void fpu_load_regs(const uint8 *area);
        void fpu_zero_regs(void);

        /* How many times state was saved, for the self-test of the FPU switching. */
        uint64 fpu_saves;

        static uint64 fs(void)
        {
            return csr_read(sstatus) & SSTATUS_FS;
        }
        static void fs_set(uint64 state)
        {
            csr_clear(sstatus, SSTATUS_FS);
            csr_set(sstatus, state);
        }
      `;
      if (lazy) {
        w.blank();
        w.c`
          uint64 fpu_traps;
          /* The thread whose state is in the registers now (or NULL), and whether they changed since it was saved or loaded. */
          static struct thread *fpu_owner;
          static int owner_dirty;

          /* FS Off: the first FP instruction of any thread traps. */
          void fpu_init(void)
          {
              fs_set(SSTATUS_FS_OFF);
              kprintf("exo: fpu: lazy (sstatus.FS Off, illegal-instruction trap)\n");
          }

          /* On a switch, arm the trap: whoever runs next pays for the FPU only if it uses it. Only the owner ever runs with FS on. */
          void fpu_switch(struct thread *old, struct thread *next)
          {
              (void)old;
              (void)next;
              if (fs() == SSTATUS_FS_DIRTY)
                  owner_dirty = 1;
              fs_set(SSTATUS_FS_OFF);
          }

          /* The current thread's first FP instruction since its switch: save the owner's state if it changed, load ours (or a clean one). */
          void fpu_trap(void)
          {
              struct thread *t = curthread;
              fpu_traps++;
              fs_set(SSTATUS_FS_CLEAN);
              if (fpu_owner == t)
                  return; /* still in the registers */
              if (fpu_owner != NULL && owner_dirty) {
                  fpu_save_regs(fpu_owner->fpu);
                  fpu_saves++;
              }
              if (!t->fpu_used) {
                  memset(t->fpu, 0, FPU_STATE_BYTES);
                  t->fpu_used = 1;
              }
              fpu_load_regs(t->fpu);
              fs_set(SSTATUS_FS_CLEAN);
              fpu_owner = t;
              owner_dirty = 0;
          }

          /* Copy the current thread's FPU state into dst: for fork and a signal's frame. */
          void fpu_copy_current(uint8 *dst)
          {
              struct thread *t = curthread;
              uint64 f = irq_save();
              if (fpu_owner == t) { /* the registers hold it: read them with FS on for a moment */
                  uint64 was = fs();
                  if (was == SSTATUS_FS_OFF)
                      fs_set(SSTATUS_FS_CLEAN);
                  fpu_save_regs(dst);
                  fs_set(was);
              } else if (t->fpu_used) {
                  memcpy(dst, t->fpu, FPU_STATE_BYTES);
              } else {
                  memset(dst, 0, FPU_STATE_BYTES);
              }
              irq_restore(f);
          }

          /* Make src the current thread's state (sigreturn): the registers are no longer its, the next FP use loads it. */
          void fpu_load_current(uint8 *src)
          {
              struct thread *t = curthread;
              uint64 f = irq_save();
              memcpy(t->fpu, src, FPU_STATE_BYTES);
              t->fpu_used = 1;
              if (fpu_owner == t) {
                  fpu_owner = NULL;
                  owner_dirty = 0;
                  fs_set(SSTATUS_FS_OFF);
              }
              irq_restore(f);
          }

          /* A thread is gone: its state must not be saved into freed memory. */
          void fpu_forget(struct thread *t)
          {
              if (fpu_owner == t) {
                  fpu_owner = NULL;
                  owner_dirty = 0;
              }
          }
        `;
      } else {
        w.blank();
        w.c`
          /* FS on from the start, registers clean. */
          void fpu_init(void)
          {
              fs_set(SSTATUS_FS_CLEAN);
              fpu_zero_regs();
              fs_set(SSTATUS_FS_CLEAN);
              kprintf("exo: fpu: eager (saved on every switch when Dirty)\n");
          }

          /* Save the old thread's state if the hardware saw it change, load the next one's (or a clean one). */
          void fpu_switch(struct thread *old, struct thread *next)
          {
              if (fs() == SSTATUS_FS_DIRTY) {
                  fpu_save_regs(old->fpu);
                  old->fpu_used = 1;
                  fpu_saves++;
              }
              if (next->fpu_used)
                  fpu_load_regs(next->fpu);
              else
                  fpu_zero_regs();
              fs_set(SSTATUS_FS_CLEAN);
          }

          /* Copy the current thread's FPU state (always in the registers) into dst: for fork and a signal's frame. */
          void fpu_copy_current(uint8 *dst)
          {
              uint64 f = irq_save();
              fpu_save_regs(dst);
              irq_restore(f);
          }

          /* Make src the current thread's state (sigreturn). */
          void fpu_load_current(uint8 *src)
          {
              struct thread *t = curthread;
              uint64 f = irq_save();
              memcpy(t->fpu, src, FPU_STATE_BYTES);
              t->fpu_used = 1;
              fpu_load_regs(t->fpu);
              irq_restore(f);
          }

          void fpu_forget(struct thread *t)
          {
              (void)t;
          }
        `;
      }
      w.blank();
      w.c`
        /* Give a new thread (a forked child) the FPU state src. */
        void fpu_give(struct thread *t, const uint8 *src)
        {
            memcpy(t->fpu, src, FPU_STATE_BYTES);
            t->fpu_used = 1;
        }
      `;
    });
  },
};
