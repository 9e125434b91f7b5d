// arch/riscv64/sigframe.c: the port's half of core/signal.c. No Linux program
// runs on riscv64 (ARCH_LINUX_ABI 0), so the frame is the port's own, not
// Linux's rt_sigframe: the interrupted registers (x1..x31 and the pc), the
// signal mask and the FPU state, pushed on the user stack below the
// interrupted sp. The handler runs with a0 the signal, a2 the frame and ra
// its restorer, whose rt_sigreturn pops it, the pc and sp only as user
// addresses.
import { emit, type Template } from "../../template.ts";
import { FPU_STATE_BYTES } from "./fpu.ts";
import { FRAME_REGS } from "./frame.ts";

const source = "arch/riscv64/sigframe.ts";

export const sigframe: Template = {
  source,
  render() {
    const summary = "The riscv64 signal frame: push a handler's frame (registers, mask, FPU state) on the user stack, and pop it in rt_sigreturn.";
    return emit({ source, path: "arch/riscv64/sigframe.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "memlayout.h"', '#include "thread.h"', '#include "frame.h"', '#include "process.h"', '#include "defs.h"');
      w.blank();
      w.c`
        #define NREGS ${FRAME_REGS.length} /* x1..x31: struct trapframe's first fields */

        struct sigframe {
            uint64 regs[NREGS]; /* x1..x31 as the signal found them */
            uint64 pc;          /* and where */
            uint64 mask;        /* the signal mask to restore */
            uint64 signo;
            _Alignas(16) uint8 fpu[${FPU_STATE_BYTES}]; /* f0-f31, fcsr */
        };
        _Static_assert(sizeof(struct sigframe) % 16 == 0, "sp stays 16-byte aligned");

        /*
         * Push the frame of a handler for sig below the stack tf interrupted and
         * point tf at the handler: a0 the signal, a1 0 (no siginfo), a2 the frame,
         * ra the restorer, sp the frame. Returns 0, or -1 when there is no restorer
         * (nothing else could take the handler back) or the stack cannot take it.
         */
        int arch_signal_push(struct trapframe *tf, int sig, uint64 handler, uint64 restorer, uint64 oldmask)
        {
            uint64 va = (tf->sp - sizeof(struct sigframe)) & ~15UL;
            if (restorer == 0 || tf->sp < PGSIZE || tf->sp > USER_LIMIT || !uvm_check(va, sizeof(struct sigframe), 1))
                return -1;
            struct sigframe *fr = (struct sigframe *)va;
            memcpy(fr->regs, tf, sizeof fr->regs);
            fr->pc = tf->sepc;
            fr->mask = oldmask;
            fr->signo = (uint64)sig;
            fpu_copy_current(fr->fpu);
            tf->sp = va;
            tf->sepc = handler;
            tf->ra = restorer;
            tf->a0 = (uint64)sig;
            tf->a1 = 0;
            tf->a2 = va;
            return 0;
        }

        /*
         * rt_sigreturn: the restorer called it with sp back at the frame. Put back
         * the registers and FPU state it holds; *mask gets the mask it saved, *ret
         * the interrupted a0. Returns 0, or -1 for a frame that cannot be read or
         * would leave user mode.
         */
        int arch_signal_pop(struct trapframe *tf, uint64 *mask, uint64 *ret)
        {
            uint64 va = tf->sp;
            struct sigframe fr;
            if ((va & 15) != 0 || !uvm_check(va, sizeof fr, 0))
                return -1;
            memcpy(&fr, (const void *)va, sizeof fr);
            if (fr.pc >= USER_LIMIT || fr.regs[1] >= USER_LIMIT) /* regs[1] is x2, sp */
                return -1;
            fpu_load_current(fr.fpu);
            memcpy(tf, fr.regs, sizeof fr.regs);
            tf->sepc = fr.pc;
            *mask = fr.mask;
            *ret = tf->a0;
            return 0;
        }
      `;
    });
  },
};
