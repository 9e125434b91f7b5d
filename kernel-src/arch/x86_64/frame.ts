// include/frame.h: struct trapframe, the user registers as the kernel saves
// them on every way in from user mode: an interrupt or exception
// (vectors.S) and a syscall (entry.S) build the same frame at the top of the
// thread's kernel stack. fork copies it, execve and signals rewrite it, and
// the way out restores every register from it.
import { emit, type Template } from "../../template.ts";

const source = "arch/x86_64/frame.ts";

/** General-purpose registers in struct trapframe order (lowest address first); the entry paths push them in reverse. */
export const FRAME_REGS = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"] as const;

/** The trapno a syscall's frame carries: no vector has it. */
export const T_SYSCALL = 256;

export const frame: Template = {
  source,
  render() {
    const summary = "struct trapframe: the user registers saved at the top of the kernel stack on every entry from user mode.";
    return emit({ source, path: "include/frame.h", summary, options: [] }, (w) => {
      w.line("#pragma once");
      w.blank();
      w.line('#include "types.h"', '#include "thread.h"');
      w.blank();
      w.line(`#define T_SYSCALL ${T_SYSCALL} /* the trapno of a syscall's frame */`);
      w.blank();
      w.line(`struct trapframe {
    uint64 ${FRAME_REGS.slice(0, 7).join(", ")};
    uint64 ${FRAME_REGS.slice(7).join(", ")};
    uint64 trapno, err;              /* pushed by the stub (T_SYSCALL and 0 for a syscall) */
    uint64 rip, cs, rflags, rsp, ss; /* pushed by the CPU (by entry.S for a syscall) */
};`);
      w.blank();
      w.comment("The frame of the current thread's last entry from user mode: the top of its kernel stack.");
      w.line("static inline struct trapframe *user_frame(void)", "{", "    return (struct trapframe *)((uint8 *)curthread->stack + STACK_BYTES) - 1;", "}");
    });
  },
};
