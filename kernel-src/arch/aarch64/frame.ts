// include/frame.h: struct trapframe, the registers as vectors.S saves them on
// every exception: at the top of the thread's kernel stack when it came from
// EL0 (a syscall, an interrupt, a fault), wherever the kernel stack was when it
// came from EL1. fork copies it, execve and signals rewrite it, and the way out
// (trap_return) restores every register from it.
import { emit, type Template } from "../../template.ts";

const source = "arch/aarch64/frame.ts";

/** Byte offsets in struct trapframe, shared with vectors.S. */
export const FRAME = { sp: 31 * 8, pc: 32 * 8, pstate: 33 * 8, esr: 34 * 8, far: 35 * 8, size: 36 * 8 } as const;

export const frame: Template = {
  source,
  render() {
    const summary = "struct trapframe: every general register, SP_EL0, ELR, SPSR, ESR and FAR, saved by vectors.S on every exception.";
    return emit({ source, path: "include/frame.h", summary, options: [] }, (w) => {
      w.line("#pragma once");
      w.blank();
      w.line(`#define FRAME_SP ${FRAME.sp}         /* offsets, for vectors.S */`);
      w.line(`#define FRAME_PC ${FRAME.pc}`, `#define FRAME_PSTATE ${FRAME.pstate}`, `#define FRAME_ESR ${FRAME.esr}`, `#define FRAME_FAR ${FRAME.far}`);
      w.line(`#define FRAME_SIZE ${FRAME.size}       /* a multiple of 16: SP stays aligned */`);
      w.blank();
      w.line("#ifndef __ASSEMBLER__");
      w.blank();
      w.line('#include "types.h"', '#include "thread.h"');
      w.blank();
      w.line(`struct trapframe {
    uint64 x[31];    /* x0-x30; x8 is the syscall number, x0 its result */
    uint64 sp;       /* SP_EL0 from user mode; the interrupted SP from the kernel (not restored) */
    uint64 pc;       /* ELR_EL1 */
    uint64 pstate;   /* SPSR_EL1 */
    uint64 esr, far; /* what the exception was, and about which address */
};`);
      w.blank();
      w.line(
        '_Static_assert(sizeof(struct trapframe) == FRAME_SIZE, "vectors.S and struct trapframe agree");',
        '_Static_assert(__builtin_offsetof(struct trapframe, sp) == FRAME_SP && __builtin_offsetof(struct trapframe, pc) == FRAME_PC, "...");',
        '_Static_assert(__builtin_offsetof(struct trapframe, pstate) == FRAME_PSTATE && __builtin_offsetof(struct trapframe, esr) == FRAME_ESR, "...");',
        '_Static_assert(__builtin_offsetof(struct trapframe, far) == FRAME_FAR, "... field by field");',
      );
      w.blank();
      w.comment("The frame of the current thread's last entry from user mode: the top of its kernel stack.");
      w.fn("static inline struct trapframe *user_frame(void)", () => w.line("return (struct trapframe *)((uint8 *)curthread->stack + STACK_BYTES) - 1;"));
      w.blank();
      w.comment("Whether a frame is of an exception taken from EL0 (SPSR.M = EL0t).");
      w.fn("static inline int frame_from_user(const struct trapframe *tf)", () => w.line("return (tf->pstate & 0xf) == 0;"));
      w.blank();
      w.line("#endif /* __ASSEMBLER__ */");
    });
  },
};
