// core/signal.c: Linux signals for Linux-ABI processes. A signal sent is
// pending until the process next returns to user mode (a syscall's end, a
// timer tick in user mode): then its action runs. SIGKILL, and a signal whose
// default action is to terminate, end the process at that checkpoint
// (core/uproc.c); a handler gets Linux's rt_sigframe on the user stack
// (siginfo, ucontext with the registers, the signal mask and the FPU state)
// and returns through its restorer to rt_sigreturn, which puts them back.
// There is no job control: the stop signals are ignored, as SIGCHLD, SIGURG,
// SIGWINCH and SIGCONT are by default.
import { emit, type Template } from "../template.ts";
import { SIGNALS } from "./process.ts";

const source = "core/signal.ts";

/** Signals whose default action is to do nothing (Linux's "ignore" and, without job control, "stop"). */
const IGNORED_BY_DEFAULT = [SIGNALS.SIGCHLD, SIGNALS.SIGCONT, SIGNALS.SIGSTOP, 20, 21, 22, 23, 28];

/** RFLAGS bits a signal handler may change in its saved registers: CF, PF, AF, ZF, SF, DF, OF, AC. */
const USER_FLAGS = 0x40cd5;

export const signal: Template = {
  source,
  render() {
    const ignoredMask = IGNORED_BY_DEFAULT.map((s) => `SIGBIT(${s})`).join(" | ");
    const summary = "Linux signals: sending, the default actions, handlers on an rt_sigframe, rt_sigreturn, rt_sigaction and rt_sigprocmask.";
    return emit({ source, path: "core/signal.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "cpu.h"', '#include "errno.h"', '#include "memlayout.h"', '#include "thread.h"', '#include "frame.h"', '#include "process.h"', '#include "defs.h"');
      w.blank();
      w.line(
        `#define DEFAULT_IGNORED (${ignoredMask})`,
        "#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))",
        "#define SIG_DFL 0",
        "#define SIG_IGN 1",
        "#define SA_SIGINFO 0x4",
        "#define SA_RESTORER 0x04000000",
        "#define SA_NODEFER 0x40000000",
        "#define SA_RESETHAND 0x80000000",
        `#define USER_FLAGS 0x${USER_FLAGS.toString(16)}UL`,
      );
      w.blank();
      w.comment(
        "Linux's x86_64 signal frame: the handler returns into pretcode (the",
        "restorer, which calls rt_sigreturn); uc holds what the handler interrupted.",
        "Above it, 64-byte aligned, the FXSAVE image uc's fpstate pointer names.",
      );
      w.line(`struct sigcontext {
    uint64 r8, r9, r10, r11, r12, r13, r14, r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
    uint16 cs, gs, fs, ss;
    uint64 err, trapno, oldmask, cr2, fpstate, reserved[8];
};
struct ucontext {
    uint64 flags, link;
    uint64 ss_sp; int32 ss_flags, pad; uint64 ss_size;
    struct sigcontext mc;
    uint64 sigmask;
};
struct siginfo { int32 signo, errno_, code, pad; uint32 pid, uid; int32 status; uint8 rest[100]; };
struct rt_sigframe {
    uint64 pretcode;
    struct ucontext uc;
    struct siginfo info;
};`);
      w.blank();
      w.comment("Mark sig pending for p (an Exo program, having no handlers, takes every signal's default action); SIGKILL also kills it at its next checkpoint. A process blocked in wait4 wakes to act on it.");
      w.fn("void signal_send(struct uproc *p, int sig)", () => {
        w.line(`uint64 f = irq_save();
if (sig == SIGKILL && p->thread != NULL)
    p->thread->kill_pending = 1;
p->sig_pending |= SIGBIT(sig);
if (p->waiting) {
    p->waiting = 0;
    thread_wake(p->thread);
}
irq_restore(f);`);
      });
      w.blank();
      w.comment("The action p takes on sig: its handler's address, SIG_DFL or SIG_IGN.");
      w.fn("static uint64 action_of(struct uproc *p, int sig)", () => w.line("return p->lx != NULL ? p->lx->act[sig - 1].handler : SIG_DFL;"));
      w.blank();
      w.comment("Whether sig, taken with its action, would end the process (a default action that terminates).");
      w.fn("static int terminates(struct uproc *p, int sig)", () => {
        w.line("return action_of(p, sig) == SIG_DFL && !(DEFAULT_IGNORED & SIGBIT(sig));");
      });
      w.blank();
      w.comment("The pending signals p does not block (SIGKILL and SIGSTOP cannot be blocked).");
      w.fn("static uint64 deliverable(struct uproc *p)", () => {
        w.line("uint64 blocked = p->lx != NULL ? p->lx->sigmask & ~UNBLOCKABLE : 0;", "return p->sig_pending & ~blocked;");
      });
      w.blank();
      w.comment("The lowest deliverable signal of p that ends it, or 0; the checkpoint ends p with it.");
      w.fn("int signal_fatal_pending(struct uproc *p)", () => {
        w.line(`for (uint64 set = deliverable(p); set != 0; set &= set - 1) { /* each pending signal, lowest first */
    int sig = __builtin_ctzl(set) + 1;
    if (terminates(p, sig))
        return sig;
}
return 0;`);
      });
      w.blank();
      w.comment("Whether a blocking syscall of the current process should give up with -EINTR: a signal is waiting to run a handler.");
      w.fn("int signal_interrupts(void)", () => {
        w.line(`struct uproc *p = curthread->proc;
for (uint64 set = p != NULL ? deliverable(p) : 0; set != 0; set &= set - 1)
    if (action_of(p, __builtin_ctzl(set) + 1) > SIG_IGN)
        return 1;
return 0;`);
      });
      w.blank();
      w.comment(
        "Build the frame of a handler for sig below the interrupted stack (past its",
        "128-byte red zone: the FPU state, then the frame) and point tf at the handler: RDI the signal, RSI the",
        "siginfo, RDX the ucontext. A handler without a restorer, or a stack that",
        "cannot take the frame, ends the process with SIGSEGV, as on Linux.",
      );
      w.fn("static void run_handler(struct uproc *p, struct trapframe *tf, int sig)", () => {
        w.line(`struct linux_sigaction *act = &p->lx->act[sig - 1];
uint64 fp_va = (tf->rsp - 128 - 512) & ~63UL; /* FXSAVE wants 16-byte alignment; Linux gives 64 */
uint64 va = ((fp_va - sizeof(struct rt_sigframe)) & ~15UL) - 8; /* as after a call: RSP + 8 is 16-byte aligned */
if (!(act->flags & SA_RESTORER) || tf->rsp < 4096 || !uvm_check(va, tf->rsp - 128 - va, 1)) {
    p->killed = 2;
    uproc_end(p, -1, SIGSEGV);
}
struct rt_sigframe *fr = (struct rt_sigframe *)va;
memset(fr, 0, sizeof *fr);
fr->pretcode = act->restorer;
struct sigcontext *mc = &fr->uc.mc;
mc->r8 = tf->r8, mc->r9 = tf->r9, mc->r10 = tf->r10, mc->r11 = tf->r11;
mc->r12 = tf->r12, mc->r13 = tf->r13, mc->r14 = tf->r14, mc->r15 = tf->r15;
mc->rdi = tf->rdi, mc->rsi = tf->rsi, mc->rbp = tf->rbp, mc->rbx = tf->rbx;
mc->rdx = tf->rdx, mc->rax = tf->rax, mc->rcx = tf->rcx, mc->rsp = tf->rsp;
mc->rip = tf->rip, mc->eflags = tf->rflags, mc->cs = (uint16)tf->cs, mc->ss = (uint16)tf->ss;
mc->trapno = tf->trapno == T_SYSCALL ? 0 : tf->trapno;
mc->oldmask = p->lx->sigmask;
fpu_copy_current((uint8 *)fp_va);
mc->fpstate = fp_va;
fr->uc.sigmask = p->lx->sigmask;
fr->info.signo = sig;
fr->info.code = 0; /* SI_USER */
p->lx->sigmask |= act->mask | (act->flags & SA_NODEFER ? 0 : SIGBIT(sig));
if (act->flags & SA_RESETHAND)
    act->handler = SIG_DFL;
tf->rsp = va;
tf->rip = act->handler;
tf->rdi = (uint64)sig;
tf->rsi = (uint64)&fr->info;
tf->rdx = (uint64)&fr->uc;
tf->rax = 0;
tf->rflags &= ~(1UL << 10); /* DF clear, as the ABI wants at a call */`);
      });
      w.blank();
      w.comment(
        "On the way back to user mode (tf: the frame at the top of the kernel",
        "stack): take the lowest deliverable signal; an ignored one is dropped, a",
        "fatal one ends the process (the checkpoint), a handled one runs its",
        "handler. One handler per return, as its mask may block the next.",
      );
      w.fn("void signal_deliver(struct trapframe *tf)", () => {
        w.line(`struct uproc *p = curthread->proc;
if (p == NULL || p->sig_pending == 0)
    return;
for (uint64 set = deliverable(p); set != 0; set &= set - 1) {
    int sig = __builtin_ctzl(set) + 1;
    uint64 handler = action_of(p, sig);
    if (handler == SIG_IGN || (handler == SIG_DFL && (DEFAULT_IGNORED & SIGBIT(sig)))) {
        p->sig_pending &= ~SIGBIT(sig);
        continue;
    }
    if (handler == SIG_DFL) {
        uproc_checkpoint(); /* ends p */
        return;
    }
    p->sig_pending &= ~SIGBIT(sig);
    run_handler(p, tf, sig);
    return;
}`);
      });
      w.blank();
      w.comment(
        "rt_sigreturn: the handler's restorer called it with RSP just past pretcode.",
        "Put back the registers, the mask and the FPU state the frame holds. RIP",
        "and RSP must be user addresses (SYSRET to a non-canonical RIP would fault",
        "in the kernel), RFLAGS keeps only the flags a program may set, and the",
        "segments are the user's own whatever the frame says. A frame that cannot",
        "be read ends the process with SIGSEGV. Returns the restored RAX.",
      );
      w.fn("int64 signal_return(struct trapframe *tf)", () => {
        w.line(`struct uproc *p = curthread->proc;
uint64 va = tf->rsp - 8;
struct rt_sigframe *fr = (struct rt_sigframe *)va;
if (p->lx == NULL || !uvm_check(va, sizeof *fr, 0)) {
    p->killed = 2;
    uproc_end(p, -1, SIGSEGV);
}
struct sigcontext mc = fr->uc.mc;
uint8 fpstate[512] __attribute__((aligned(16)));
if (mc.rip >= USER_LIMIT || mc.rsp >= USER_LIMIT || (mc.fpstate != 0 && !uvm_check(mc.fpstate, 512, 0))) {
    p->killed = 2;
    uproc_end(p, -1, SIGSEGV);
}
if (mc.fpstate != 0) {
    memcpy(fpstate, (const void *)mc.fpstate, 512);
    fpu_load_current(fpstate);
}
p->lx->sigmask = fr->uc.sigmask & ~UNBLOCKABLE;
tf->r8 = mc.r8, tf->r9 = mc.r9, tf->r10 = mc.r10, tf->r11 = mc.r11;
tf->r12 = mc.r12, tf->r13 = mc.r13, tf->r14 = mc.r14, tf->r15 = mc.r15;
tf->rdi = mc.rdi, tf->rsi = mc.rsi, tf->rbp = mc.rbp, tf->rbx = mc.rbx;
tf->rdx = mc.rdx, tf->rax = mc.rax, tf->rcx = mc.rcx, tf->rsp = mc.rsp, tf->rip = mc.rip;
tf->rflags = (tf->rflags & ~USER_FLAGS) | (mc.eflags & USER_FLAGS);
return (int64)tf->rax;`);
      });
      w.blank();
      w.comment("rt_sigaction(sig, act, old, size): SIGKILL and SIGSTOP keep their action. Setting SIG_IGN drops what is pending of sig.");
      w.fn("int64 signal_action(uint64 sig, uint64 act_va, uint64 old_va)", () => {
        w.line(`struct uproc *p = curthread->proc;
struct linux_state *lx = p->lx;
if (sig < 1 || sig > 64 || (act_va != 0 && (sig == SIGKILL || sig == SIGSTOP)))
    return -EINVAL;
if ((act_va != 0 && !uvm_check(act_va, sizeof(struct linux_sigaction), 0)) || (old_va != 0 && !uvm_check(old_va, sizeof(struct linux_sigaction), 1)))
    return -EFAULT;
struct linux_sigaction old = lx->act[sig - 1];
if (act_va != 0) {
    memcpy(&lx->act[sig - 1], (const void *)act_va, sizeof old);
    lx->act[sig - 1].mask &= ~UNBLOCKABLE;
    if (lx->act[sig - 1].handler == SIG_IGN)
        p->sig_pending &= ~SIGBIT(sig);
}
if (old_va != 0)
    memcpy((void *)old_va, &old, sizeof old);
return 0;`);
      });
      w.blank();
      w.comment("rt_sigprocmask(how, set, old): SIG_BLOCK 0, SIG_UNBLOCK 1, SIG_SETMASK 2; SIGKILL and SIGSTOP are never blocked.");
      w.fn("int64 signal_mask(uint64 how, uint64 set_va, uint64 old_va)", () => {
        w.line(`struct linux_state *lx = ((struct uproc *)curthread->proc)->lx;
uint64 old = lx->sigmask, set;
if ((set_va != 0 && !uvm_check(set_va, 8, 0)) || (old_va != 0 && !uvm_check(old_va, 8, 1)))
    return -EFAULT;
if (set_va != 0) {
    set = *(const uint64 *)set_va;
    if (how == 0)
        lx->sigmask |= set;
    else if (how == 1)
        lx->sigmask &= ~set;
    else if (how == 2)
        lx->sigmask = set;
    else
        return -EINVAL;
    lx->sigmask &= ~UNBLOCKABLE;
}
if (old_va != 0)
    *(uint64 *)old_va = old;
return 0;`);
      });
      w.blank();
      w.comment("execve: handlers go back to the default (the code they were in is gone); ignored signals and the mask stay.");
      w.fn("void signal_exec_reset(struct uproc *p)", () => {
        w.line(`if (p->lx == NULL)
    return;
for (int i = 0; i < 64; i++)
    if (p->lx->act[i].handler != SIG_IGN)
        memset(&p->lx->act[i], 0, sizeof p->lx->act[i]);`);
      });
    });
  },
};
