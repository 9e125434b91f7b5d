// core/signal.c: Linux signals for Linux-ABI processes. A signal sent is
// pending until the process next returns to user mode (a syscall's end, a
// timer tick in user mode): then its action runs. SIGKILL, and a signal whose
// default action is to terminate, end the process at that checkpoint
// (core/uproc.c); a handler gets the port's signal frame on the user stack
// (arch/<arch>/sigframe.c: the registers, the mask, the FPU state) and
// returns through its restorer to rt_sigreturn, which puts them back.
// There is no job control: the stop signals are ignored, as SIGCHLD, SIGURG,
// SIGWINCH and SIGCONT are by default.
import { emit, type Template } from "../template.ts";
import { SIGNALS } from "./process.ts";

const source = "core/signal.ts";

/** Signals whose default action is to do nothing (Linux's "ignore" and, without job control, "stop"): those process.h names, then SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGWINCH. */
const IGNORED_BY_DEFAULT = ["SIGCHLD", "SIGCONT", "SIGSTOP", 20, 21, 22, 23, 28] satisfies (keyof typeof SIGNALS | number)[];

export const signal: Template = {
  source,
  render() {
    const ignoredMask = IGNORED_BY_DEFAULT.map((s) => `SIGBIT(${s})`).join(" | ");
    const summary = "Linux signals: sending, the default actions, handlers on an rt_sigframe, rt_sigreturn, rt_sigaction and rt_sigprocmask.";
    return emit({ source, path: "core/signal.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "arch.h"', '#include "errno.h"', '#include "memlayout.h"', '#include "thread.h"', '#include "frame.h"', '#include "process.h"', '#include "defs.h"');
      w.blank();
      w.line(
        `#define DEFAULT_IGNORED (${ignoredMask})`,
        "#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))",
        "#define SIG_DFL 0",
        "#define SIG_IGN 1",
        "#define SA_RESTORER 0x04000000",
        "#define SA_NODEFER 0x40000000",
        "#define SA_RESETHAND 0x80000000",
      );
      w.blank();
      w.comment("Mark sig pending for p (an Exo program, having no handlers, takes every signal's default action); SIGKILL also kills it at its next checkpoint. A process blocked in wait4 wakes to act on it.");
      w.fn("void signal_send(struct uproc *p, int sig)", () => {
        w.line(`uint64 f = arch_irq_save();
if (sig == SIGKILL && p->thread != NULL)
    p->thread->kill_pending = 1;
p->sig_pending |= SIGBIT(sig);
if (p->thread != NULL)
    syscall_work_set(p->thread);
if (p->waiting) {
    p->waiting = 0;
    thread_wake(p->thread);
}
arch_irq_restore(f);`);
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
        "Run sig's handler: the port pushes the frame (arch_signal_push) and the mask",
        "grows by the action's mask and, unless SA_NODEFER, sig itself. A handler",
        "the frame cannot be made for ends the process with SIGSEGV, as on Linux.",
      );
      w.fn("static void run_handler(struct uproc *p, struct trapframe *tf, int sig)", () => {
        w.line(`struct linux_sigaction *act = &p->lx->act[sig - 1];
if (arch_signal_push(tf, sig, act->handler, act->flags & SA_RESTORER ? act->restorer : 0, p->lx->sigmask) != 0) {
    p->killed = 2;
    uproc_end(p, -1, SIGSEGV);
}
p->lx->sigmask |= act->mask | (act->flags & SA_NODEFER ? 0 : SIGBIT(sig));
if (act->flags & SA_RESETHAND)
    act->handler = SIG_DFL;`);
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
      w.comment("rt_sigreturn: the port restores what the handler interrupted (arch_signal_pop), and the mask. A frame that cannot be read ends the process with SIGSEGV.");
      w.fn("int64 signal_return(struct trapframe *tf)", () => {
        w.line(`struct uproc *p = curthread->proc;
uint64 mask, ret;
if (p->lx == NULL || arch_signal_pop(tf, &mask, &ret) != 0) {
    p->killed = 2;
    uproc_end(p, -1, SIGSEGV);
}
p->lx->sigmask = mask & ~UNBLOCKABLE;
return (int64)ret;`);
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
