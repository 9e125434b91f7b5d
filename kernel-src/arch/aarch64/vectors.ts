// arch/aarch64/vectors.S: VBAR_EL1's table (16 entries, 0x80 apart, 2 KiB
// aligned), the one path every exception takes (save a struct trapframe, call
// trap(), restore it, ERET), and the two ways into user mode that do not come
// back from an exception: a new process's first entry (enter_user) and a
// forked one's (trap_return_frame, from user_return in trap.c).
import { emit, type Template } from "../../template.ts";

const source = "arch/aarch64/vectors.ts";

/** The table's 16 entries, in order: what trap() gets as kind. 8 and 9 are EL0's synchronous exceptions (SVC among them) and interrupts. */
export const VECTOR_NAMES = [
  "EL1t sync", "EL1t irq", "EL1t fiq", "EL1t serror",
  "EL1h sync", "EL1h irq", "EL1h fiq", "EL1h serror",
  "EL0 sync", "EL0 irq", "EL0 fiq", "EL0 serror",
  "EL0 (AArch32) sync", "EL0 (AArch32) irq", "EL0 (AArch32) fiq", "EL0 (AArch32) serror",
] as const;

export const vectors: Template = {
  source,
  render() {
    const summary = "The exception vector table, trap_entry (save every register into a struct trapframe, call trap), trap_return (restore it, ERET), enter_user.";
    return emit({ source, path: "arch/aarch64/vectors.S", summary, options: [] }, (w) => {
      w.line('#include "frame.h"');
      w.blank();
      w.comment(
        "Each entry makes room for a frame, keeps x0 and x1 there and hands trap_entry its",
        "index in x0. An exception from EL0 lands on SP_EL1 as trap_return left it: the",
        "top of the thread's kernel stack, so its frame is user_frame().",
      );
      w.c`
        .macro ventry kind
            .balign 0x80
            sub sp, sp, #FRAME_SIZE
            stp x0, x1, [sp, #0]
            mov x0, #\kind
            b trap_entry
        .endm

        .text
        .balign 2048
        .globl vectors
        vectors:
      `;
      w.indent(() => VECTOR_NAMES.forEach((name, i) => w.line(`ventry ${i} /* ${name} */`)));
      w.blank();
      w.comment(
        "Save x2-x30, the interrupted SP (SP_EL0 from EL0; from EL1 the SP above the",
        "frame), ELR, SPSR, ESR and FAR, then trap(tf, kind) with IRQs still masked. From",
        "EL0, x29 0 ends kernel backtraces.",
      );
      w.c`
        trap_entry:
            stp x2, x3, [sp, #16]
            stp x4, x5, [sp, #32]
            stp x6, x7, [sp, #48]
            stp x8, x9, [sp, #64]
            stp x10, x11, [sp, #80]
            stp x12, x13, [sp, #96]
            stp x14, x15, [sp, #112]
            stp x16, x17, [sp, #128]
            stp x18, x19, [sp, #144]
            stp x20, x21, [sp, #160]
            stp x22, x23, [sp, #176]
            stp x24, x25, [sp, #192]
            stp x26, x27, [sp, #208]
            stp x28, x29, [sp, #224]
            str x30, [sp, #240]
            add x1, sp, #FRAME_SIZE
            cmp x0, #8
            b.lo 1f
            mrs x1, sp_el0
            mov x29, #0
        1:  mrs x2, elr_el1
            mrs x3, spsr_el1
            stp x1, x2, [sp, #FRAME_SP]
            str x3, [sp, #FRAME_PSTATE]
            mrs x2, esr_el1
            mrs x3, far_el1
            stp x2, x3, [sp, #FRAME_ESR]
            mov x1, x0
            mov x0, sp
            bl trap
      `;
      w.blank();
      w.comment(
        "SP at a struct trapframe: restore everything from it and ERET. To EL0 (SPSR.M",
        "0) SP_EL0 comes from the frame too, and SP_EL1 ends at the frame's top, where the",
        "next exception from EL0 builds its frame.",
      );
      w.c`
        .globl trap_return
        trap_return:
            msr daifset, #2
            ldp x1, x2, [sp, #FRAME_SP]
            ldr x3, [sp, #FRAME_PSTATE]
            msr elr_el1, x2
            msr spsr_el1, x3
            tst x3, #0xf
            b.ne 2f
            msr sp_el0, x1
        2:  ldp x2, x3, [sp, #16]
            ldp x4, x5, [sp, #32]
            ldp x6, x7, [sp, #48]
            ldp x8, x9, [sp, #64]
            ldp x10, x11, [sp, #80]
            ldp x12, x13, [sp, #96]
            ldp x14, x15, [sp, #112]
            ldp x16, x17, [sp, #128]
            ldp x18, x19, [sp, #144]
            ldp x20, x21, [sp, #160]
            ldp x22, x23, [sp, #176]
            ldp x24, x25, [sp, #192]
            ldp x26, x27, [sp, #208]
            ldp x28, x29, [sp, #224]
            ldr x30, [sp, #240]
            ldp x0, x1, [sp, #0]
            add sp, sp, #FRAME_SIZE
            eret
      `;
      w.blank();
      w.comment("void trap_return_frame(struct trapframe *tf): to wherever tf says, from tf (user_return). Does not return.");
      w.c`
        .globl trap_return_frame
        trap_return_frame:
            mov sp, x0
            b trap_return
      `;
      w.blank();
      w.comment(
        "void enter_user(uint64 pc, uint64 sp, uint64 arg0, uint64 arg1): EL0 at pc with",
        "interrupts on, arg0 in x0, arg1 in x1, every other register zero so nothing of",
        "the kernel leaks; SP_EL1 back at the top of the kernel stack. Does not return.",
      );
      w.c`
        .globl enter_user
        enter_user:
            msr daifset, #2
            adrp x4, kernel_stack_top
            ldr x4, [x4, :lo12:kernel_stack_top]
            mov sp, x4
            msr elr_el1, x0
            msr sp_el0, x1
            msr spsr_el1, xzr
            mov x0, x2
            mov x1, x3
      `;
      w.indent(() => {
        for (let r = 2; r <= 30; r++) w.line(`mov x${r}, #0`);
        w.line("eret");
      });
    });
  },
};
