// arch/aarch64/sigframe.c: the port's half of core/signal.c, a signal frame of
// Exo's own (no Linux program runs on this port, so no Linux rt_sigframe is
// owed): the interrupted registers (a whole struct trapframe), the mask and
// q0-q31 go on the user stack; the handler runs with x0 the signal, x1 the
// siginfo, x2 the frame, and returns through x30 (the restorer) to
// rt_sigreturn, which puts them back, PC and SP only as user addresses and
// PSTATE only in the flags (NZCV) a program may set.
import { emit, type Template } from "../../template.ts";

const source = "arch/aarch64/sigframe.ts";

export const sigframe: Template = {
  source,
  render() {
    const summary = "The aarch64 signal frame: push a handler's frame on the user stack, and pop it in rt_sigreturn.";
    return emit({ source, path: "arch/aarch64/sigframe.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "memlayout.h"', '#include "thread.h"', '#include "frame.h"', '#include "process.h"', '#include "defs.h"');
      w.blank();
      w.line("#define USER_FLAGS 0xf0000000UL /* PSTATE's NZCV: all a handler may change */");
      w.blank();
      w.c`
        struct siginfo {
            int32 signo, errno_, code, pad;
            uint32 pid, uid;
            int32 status;
            uint8 rest[100];
        };
        struct sigframe {
            uint8 fpu[512];         /* q0-q31 (first: 16-byte aligned) */
            struct trapframe regs;  /* every register the signal interrupted */
            uint64 mask;            /* the signal mask to go back to */
            uint64 pad;
            struct siginfo info;
        };
      `;
      w.blank();
      w.comment(
        "Push the frame of a handler for sig below the stack tf interrupted and point tf",
        "at the handler: x0 the signal, x1 the siginfo, x2 the frame, x30 the restorer.",
        "Returns 0, or -1 when there is no restorer or the stack cannot take the frame.",
      );
      w.fn("int arch_signal_push(struct trapframe *tf, int sig, uint64 handler, uint64 restorer, uint64 oldmask)", () => {
        w.c`
          uint64 va = (tf->sp - sizeof(struct sigframe)) & ~15UL;
          if (restorer == 0 || tf->sp < PGSIZE || tf->sp > USER_LIMIT || !uvm_check(va, sizeof(struct sigframe), 1))
              return -1;
          struct sigframe *fr = (struct sigframe *)va;
          memset(fr, 0, sizeof *fr);
          fpu_copy_current(fr->fpu);
          fr->regs = *tf;
          fr->mask = oldmask;
          fr->info.signo = sig;
          fr->info.code = 0; /* SI_USER */
          tf->sp = va;
          tf->pc = handler;
          tf->x[0] = (uint64)sig;
          tf->x[1] = (uint64)&fr->info;
          tf->x[2] = va;
          tf->x[30] = restorer;
          return 0;
        `;
      });
      w.blank();
      w.comment(
        "rt_sigreturn: the handler returned to its restorer with SP where the frame is.",
        "Put back the registers and q0-q31 the frame holds; *mask gets the mask it saved,",
        "*ret the syscall's result to return (the interrupted x0). Returns 0, or -1 for a",
        "frame that cannot be read or would leave user mode.",
      );
      w.fn("int arch_signal_pop(struct trapframe *tf, uint64 *mask, uint64 *ret)", () => {
        w.c`
          uint64 va = tf->sp;
          uint8 fpstate[512] __attribute__((aligned(16)));
          if ((va & 15) != 0 || !uvm_check(va, sizeof(struct sigframe), 0))
              return -1;
          const struct sigframe *fr = (const struct sigframe *)va;
          struct trapframe regs = fr->regs;
          if (regs.pc >= USER_LIMIT || regs.sp >= USER_LIMIT)
              return -1;
          memcpy(fpstate, fr->fpu, sizeof fpstate);
          fpu_load_current(fpstate);
          *mask = fr->mask;
          uint64 pstate = (tf->pstate & ~USER_FLAGS) | (regs.pstate & USER_FLAGS);
          *tf = regs;
          tf->pstate = pstate;
          *ret = tf->x[0];
          return 0;
        `;
      });
    });
  },
};
