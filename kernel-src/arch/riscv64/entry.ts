// arch/riscv64/entry.S: every way between user mode, the kernel and back.
// stvec points at trap_entry (direct mode) for all traps: exceptions, ecall
// (syscalls) and interrupts. sscratch is 0 while the kernel runs and holds
// the thread's kernel stack top while user mode does, which is how the entry
// tells where a trap came from and which stack to save the registers on.
import { emit, type Template } from "../../template.ts";
import type { Writer } from "../../writer.ts";
import { FRAME_CSRS, FRAME_REGS, FRAME_SIZE, frameOffset } from "./frame.ts";

const source = "arch/riscv64/entry.ts";

const SP = frameOffset("sp");

/** Store (or load) every register of the frame but sp, at sp. */
function regs(w: Writer, op: "sd" | "ld"): void {
  w.line(...FRAME_REGS.filter((r) => r !== "sp").map((r) => `${op} ${r}, ${frameOffset(r)}(sp)`));
}

export const entry: Template = {
  source,
  render() {
    const summary = "The trap vector (stvec): a struct trapframe on the right stack, trap(), and the way back with sret; the first entry of a process into user mode.";
    return emit({ source, path: "arch/riscv64/entry.S", summary, options: [] }, (w) => {
      w.line('#include "riscv.h"');
      w.blank();
      w.line(`#define FRAME_SIZE ${FRAME_SIZE}`, ...FRAME_CSRS.map((c) => `#define TF_${c.toUpperCase()} ${frameOffset(c)}`), `#define TF_SP ${SP}`);
      w.blank();
      w.line(".text", ".globl trap_entry", ".globl trap_return", ".globl enter_user", ".globl user_return", ".p2align 2");
      w.comment(
        "Swap sp and sscratch: a non-zero result is the kernel stack of a thread",
        "that was in user mode (its user sp now in sscratch); zero means the",
        "kernel was interrupted, and the swap is undone.",
      );
      w.line("trap_entry:").indent(() => {
        w.line("csrrw sp, sscratch, sp", "bnez sp, 1f");
        w.line("csrrw sp, sscratch, sp", `addi sp, sp, -FRAME_SIZE`);
        regs(w, "sd");
        w.line("addi t0, sp, FRAME_SIZE", "sd t0, TF_SP(sp)", "j 2f");
      });
      w.comment("From user mode: the frame goes at the top of the kernel stack (user_frame); sscratch 0 from here on.");
      w.line("1:").indent(() => {
        w.line("addi sp, sp, -FRAME_SIZE");
        regs(w, "sd");
        w.line("csrr t0, sscratch", "sd t0, TF_SP(sp)", "csrw sscratch, zero");
      });
      w.comment("s0 0 ends a backtrace at the trap; the interrupted s0 is in the frame.");
      w.line("2:").indent(() => {
        w.line(...FRAME_CSRS.flatMap((c) => [`csrr t0, ${c}`, `sd t0, TF_${c.toUpperCase()}(sp)`]));
        w.line("li s0, 0", "mv a0, sp", "call trap");
      });
      w.comment(
        "sp at a struct trapframe: interrupts off, then sepc and the frame's SPP and",
        "SPIE back (sstatus.FS stays as fpu.c left it; SUM stays on). Back to user",
        "mode, sscratch gets the kernel stack the next trap lands on.",
      );
      w.line("trap_return:").indent(() => {
        w.line("csrci sstatus, SSTATUS_SIE", "ld t0, TF_SEPC(sp)", "csrw sepc, t0");
        w.line("ld t0, TF_SSTATUS(sp)", "li t1, SSTATUS_SPP | SSTATUS_SPIE", "and t0, t0, t1", "csrc sstatus, t1", "csrs sstatus, t0");
        w.line("andi t0, t0, SSTATUS_SPP", "bnez t0, 3f", "ld t0, kstack_top", "csrw sscratch, t0");
      });
      w.line("3:").indent(() => {
        regs(w, "ld");
        w.line("ld sp, TF_SP(sp)", "sret");
      });
      w.blank();
      w.comment("void user_return(struct trapframe *tf): to user mode with every register from tf (a forked child's first run).");
      w.line("user_return:").indent(() => w.line("csrci sstatus, SSTATUS_SIE", "mv sp, a0", "j trap_return"));
      w.blank();
      w.comment(
        "void enter_user(uint64 pc, uint64 sp, uint64 arg0, uint64 arg1): sret to",
        "user mode at pc with interrupts on, arg0 in a0 and arg1 in a1, every other",
        "register zero so nothing of the kernel leaks. Does not return.",
      );
      w.line("enter_user:").indent(() => {
        w.line("csrci sstatus, SSTATUS_SIE", "csrw sepc, a0", "li t0, SSTATUS_SPP", "csrc sstatus, t0", "li t0, SSTATUS_SPIE", "csrs sstatus, t0");
        w.line("ld t0, kstack_top", "csrw sscratch, t0", "mv sp, a1", "mv a0, a2", "mv a1, a3");
        const keep = new Set(["sp", "a0", "a1"]);
        w.line(...FRAME_REGS.filter((r) => !keep.has(r)).map((r) => `li ${r}, 0`));
        w.line("sret");
      });
    });
  },
};
