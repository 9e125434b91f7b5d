// arch/x86_64/sigframe.c: Linux's x86-64 signal frame, the port's half of
// core/signal.c. A handler gets an rt_sigframe below the interrupted stack's
// red zone (the registers in a sigcontext, the mask, siginfo) and the FXSAVE
// image above it; it returns through its restorer to rt_sigreturn, which
// puts them back, RIP and RSP only as user addresses and RFLAGS only in the
// flags a program may set.
import { emit, type Template } from "../../template.ts";

const source = "arch/x86_64/sigframe.ts";

/** RFLAGS bits a signal handler may change in its saved registers: CF, PF, AF, ZF, SF, DF, OF, AC. */
const USER_FLAGS = 0x40cd5;

export const sigframe: Template = {
  source,
  render() {
    const summary = "Linux's x86-64 rt_sigframe: push a handler's frame on the user stack, and pop it in rt_sigreturn.";
    return emit({ source, path: "arch/x86_64/sigframe.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "memlayout.h"', '#include "thread.h"', '#include "frame.h"', '#include "process.h"', '#include "defs.h"');
      w.blank();
      w.line(`#define USER_FLAGS 0x${USER_FLAGS.toString(16)}UL`, "#define RED_ZONE 128 /* bytes below RSP a leaf function may use: the frame goes below */");
      w.blank();
      w.line(`struct sigcontext {
    uint64 r8, r9, r10, r11, r12, r13, r14, r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
    uint16 cs, gs, fs, ss;
    uint64 err, trapno, oldmask, cr2, fpstate, reserved[8];
};
struct ucontext {
    uint64 flags, link;
    uint64 ss_sp;
    int32 ss_flags, pad;
    uint64 ss_size;
    struct sigcontext mc;
    uint64 sigmask;
};
struct siginfo {
    int32 signo, errno_, code, pad;
    uint32 pid, uid;
    int32 status;
    uint8 rest[100];
};
struct rt_sigframe {
    uint64 pretcode; /* the restorer: the handler's return address */
    struct ucontext uc;
    struct siginfo info;
};`);
      w.blank();
      w.comment(
        "Push the frame of a handler for sig below the stack tf interrupted and point",
        "tf at the handler: RDI the signal, RSI the siginfo, RDX the ucontext, RSP",
        "as after a call. Returns 0, or -1 when there is no restorer (x86-64 Linux",
        "requires SA_RESTORER) or the stack cannot take the frame.",
      );
      w.fn("int arch_signal_push(struct trapframe *tf, int sig, uint64 handler, uint64 restorer, uint64 oldmask)", () => {
        w.line(`uint64 fp_va = (tf->rsp - RED_ZONE - 512) & ~63UL; /* FXSAVE wants 16-byte alignment; Linux gives 64 */
uint64 va = ((fp_va - sizeof(struct rt_sigframe)) & ~15UL) - 8; /* as after a call: RSP + 8 is 16-byte aligned */
if (restorer == 0 || tf->rsp < PGSIZE || !uvm_check(va, tf->rsp - RED_ZONE - va, 1))
    return -1;
struct rt_sigframe *fr = (struct rt_sigframe *)va;
memset(fr, 0, sizeof *fr);
fr->pretcode = restorer;
struct sigcontext *mc = &fr->uc.mc;
mc->r8 = tf->r8, mc->r9 = tf->r9, mc->r10 = tf->r10, mc->r11 = tf->r11;
mc->r12 = tf->r12, mc->r13 = tf->r13, mc->r14 = tf->r14, mc->r15 = tf->r15;
mc->rdi = tf->rdi, mc->rsi = tf->rsi, mc->rbp = tf->rbp, mc->rbx = tf->rbx;
mc->rdx = tf->rdx, mc->rax = tf->rax, mc->rcx = tf->rcx, mc->rsp = tf->rsp;
mc->rip = tf->rip, mc->eflags = tf->rflags, mc->cs = (uint16)tf->cs, mc->ss = (uint16)tf->ss;
mc->trapno = tf->trapno == T_SYSCALL ? 0 : tf->trapno;
mc->oldmask = oldmask;
fpu_copy_current((uint8 *)fp_va);
mc->fpstate = fp_va;
fr->uc.sigmask = oldmask;
fr->info.signo = sig;
fr->info.code = 0; /* SI_USER */
tf->rsp = va;
tf->rip = handler;
tf->rdi = (uint64)sig;
tf->rsi = (uint64)&fr->info;
tf->rdx = (uint64)&fr->uc;
tf->rax = 0;
tf->rflags &= ~(1UL << 10); /* DF clear, as the ABI wants at a call */
return 0;`);
      });
      w.blank();
      w.comment(
        "rt_sigreturn: the restorer called it with RSP just past pretcode. Put back",
        "the registers and the FPU state the frame holds; *mask gets the mask it",
        "saved, *ret the syscall's result to return (the interrupted RAX). Returns",
        "0, or -1 for a frame that cannot be read or would leave user mode.",
      );
      w.fn("int arch_signal_pop(struct trapframe *tf, uint64 *mask, uint64 *ret)", () => {
        w.line(`uint64 va = tf->rsp - 8;
struct rt_sigframe *fr = (struct rt_sigframe *)va;
uint8 fpstate[512] __attribute__((aligned(16)));
if (!uvm_check(va, sizeof *fr, 0))
    return -1;
struct sigcontext mc = fr->uc.mc;
if (mc.rip >= USER_LIMIT || mc.rsp >= USER_LIMIT || (mc.fpstate != 0 && !uvm_check(mc.fpstate, 512, 0)))
    return -1; /* SYSRET to a non-canonical RIP would fault in the kernel */
if (mc.fpstate != 0) {
    memcpy(fpstate, (const void *)mc.fpstate, 512);
    fpu_load_current(fpstate);
}
*mask = fr->uc.sigmask;
tf->r8 = mc.r8, tf->r9 = mc.r9, tf->r10 = mc.r10, tf->r11 = mc.r11;
tf->r12 = mc.r12, tf->r13 = mc.r13, tf->r14 = mc.r14, tf->r15 = mc.r15;
tf->rdi = mc.rdi, tf->rsi = mc.rsi, tf->rbp = mc.rbp, tf->rbx = mc.rbx;
tf->rdx = mc.rdx, tf->rax = mc.rax, tf->rcx = mc.rcx, tf->rsp = mc.rsp, tf->rip = mc.rip;
tf->rflags = (tf->rflags & ~USER_FLAGS) | (mc.eflags & USER_FLAGS);
*ret = tf->rax;
return 0;`);
      });
    });
  },
};
