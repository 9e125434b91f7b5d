// include/frame.h: struct trapframe, what entry.S saves on every trap: the
// 31 general registers (x1..x31; x0 is zero) and the trap's CSRs. One from
// user mode sits at the top of the thread's kernel stack (user_frame): fork
// copies it, execve and signals rewrite it, and the way out restores every
// register from it. One from the kernel goes below the interrupted stack.
import { emit, type Template } from "../../template.ts";

const source = "arch/riscv64/frame.ts";

/** x1..x31 by ABI name, in struct trapframe order (slot i holds x(i+1)). */
export const FRAME_REGS = [
  "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7",
  "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
] as const;

/** The CSRs after the registers, in order. */
export const FRAME_CSRS = ["sepc", "sstatus", "scause", "stval"] as const;

/** Byte offset of a register or CSR in struct trapframe. */
export function frameOffset(name: (typeof FRAME_REGS)[number] | (typeof FRAME_CSRS)[number]): number {
  const r = (FRAME_REGS as readonly string[]).indexOf(name);
  return 8 * (r >= 0 ? r : FRAME_REGS.length + (FRAME_CSRS as readonly string[]).indexOf(name));
}

/** The frame's size: 35 words, rounded up so the stack stays 16-byte aligned. */
export const FRAME_SIZE = 8 * (FRAME_REGS.length + FRAME_CSRS.length + 1);

export const frame: Template = {
  source,
  render() {
    const summary = "struct trapframe: the registers and trap CSRs entry.S saves; a user one at the top of the kernel stack.";
    return emit({ source, path: "include/frame.h", summary, options: [] }, (w) => {
      w.line("#pragma once");
      w.blank();
      w.line('#include "types.h"', '#include "memlayout.h"', '#include "thread.h"');
      w.blank();
      w.line("struct trapframe {");
      w.indent(() => {
        for (let i = 0; i < FRAME_REGS.length; i += 8) w.line(`uint64 ${FRAME_REGS.slice(i, i + 8).join(", ")};`);
        w.line(`uint64 ${FRAME_CSRS.join(", ")}; /* where it came from and why */`, "uint64 pad;                         /* 16-byte aligned */");
      });
      w.line("};");
      w.line(`_Static_assert(sizeof(struct trapframe) == ${FRAME_SIZE}, "entry.S's FRAME_SIZE");`);
      w.blank();
      w.comment("The frame of the current thread's last entry from user mode: the top of its kernel stack.");
      w.line("static inline struct trapframe *user_frame(void)", "{", "    return (struct trapframe *)((uint8 *)curthread->stack + STACK_BYTES) - 1;", "}");
    });
  },
};
