// core/proc.c: kernel threads. Creation builds a stack that swtch can return
// into; yield, preemption, join and exit all end in switch_to_next, the one
// place that hands the CPU over.
import type { KernelTemplateInput } from "../input.ts";
import { emit, type Template } from "../template.ts";

const source = "core/proc.ts";

export const proc: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    const tcache = k.allocator.threadCacheObjects > 0;
    const summary = "Kernel threads: create, start, yield, preempt, join and exit, around the windowed switch (swtch).";
    return emit({ source, path: "core/proc.c", summary, options: ["kernel.allocator.threadCacheObjects"] }, (w) => {
      w.line('#include "types.h"', '#include "cpu.h"', '#include "thread.h"', '#include "defs.h"');
      w.blank();
      w.comment("The boot thread: kmain becomes it, on the boot stack.");
      w.line('static struct thread thread0 = { .id = 0, .state = T_RUNNING, .name = "boot" };');
      w.line("struct thread *curthread = &thread0;", "static uint32 next_id = 1;");
      w.line("static uint64 current_cr3; /* what CR3 holds; 0 until the first switch loads one */");
      w.line("static uint64 current_fs; /* what the FS base MSR holds: the running thread's TLS pointer (arch_prctl) */");
      w.line("static uint64 current_lstar = (uint64)syscall_entry; /* what the LSTAR MSR holds (arch/x86_64/gdt.c sets it first) */");
      w.line("extern void thread_start(void);");
      w.blank();
      w.comment(
        "Give the CPU to the next runnable thread; old is already queued, blocked",
        "or dead. Interrupts are off. Returns when old runs again.",
      );
      w.fn("static void switch_to_next(struct thread *old)", () => {
        w.line(`struct thread *next = sched_pick();
if (next == NULL)
    panic("sched: no thread is runnable");
next->state = T_RUNNING;
if (next != old) {
    uint64 cr3 = next->cr3 != 0 ? next->cr3 : kernel_cr3();
    old->switches++;
    curthread = next;
    if (cr3 != current_cr3) { /* kernel threads share one address space: no TLB flush between them */
        write_cr3(cr3);
        current_cr3 = cr3;
    }
    if (next->stack != NULL)
        set_kernel_stack((uint64)next->stack + STACK_BYTES);
    fpu_switch(old, next);
    if (next->lstar != 0 && next->lstar != current_lstar) { /* an Exo and a Linux program enter by different doors */
        wrmsr(MSR_LSTAR, next->lstar);
        current_lstar = next->lstar;
    }
    if (next->fs_base != current_fs) { /* the kernel never uses FS: only user threads' TLS moves it */
        wrmsr(0xc0000100, next->fs_base); /* MSR_FS_BASE */
        current_fs = next->fs_base;
    }
    swtch(&old->rsp, next->rsp);
}
old->run_start = rdtsc();`);
      });
      w.blank();
      w.comment("Give up the CPU voluntarily; returns when the scheduler picks this thread again.");
      w.comment("Set the current thread's FS base (arch_prctl), now and at every switch back to it.");
      w.fn("void thread_set_fs(uint64 base)", () => {
        w.line("uint64 f = irq_save();", "curthread->fs_base = base;", "wrmsr(0xc0000100, base); /* MSR_FS_BASE */", "current_fs = base;", "irq_restore(f);");
      });
      w.blank();
      w.fn("void yield(void)", () => {
        w.line(`uint64 f = irq_save();
struct thread *t = curthread;
sched_account(t, rdtsc() - t->run_start, 0);
t->state = T_RUNNABLE;
sched_enqueue(t, 1);
switch_to_next(t);
irq_restore(f);`);
      });
      w.blank();
      w.comment("While above 0, the timer does not preempt: for code that must see the scheduler's own order.");
      w.line("static int preempt_disabled;");
      w.fn("void preempt_off(void)", () => w.line("preempt_disabled++;"));
      w.fn("void preempt_on(void)", () => w.line("preempt_disabled--;"));
      w.blank();
      w.comment("The timer's end of a timeslice (interrupts off): switch if anyone else can run.");
      w.fn("void sched_preempt(void)", () => {
        w.line(`struct thread *t = curthread;
if (!sched_runnable() || preempt_disabled > 0)
    return;
sched_account(t, rdtsc() - t->run_start, 1);
t->state = T_RUNNABLE;
sched_enqueue(t, 0);
switch_to_next(t);`);
      });
      w.blank();
      w.comment("Where a new thread starts (swtch.S thread_start): interrupts on, run fn, exit.");
      w.fn("void thread_entry(void (*fn)(void *), void *arg)", () => {
        w.line("curthread->run_start = rdtsc();", "intr_on();", "fn(arg);", "thread_exit();");
      });
      w.blank();
      w.comment(
        "A new thread that will run fn(arg), not yet runnable (thread_run makes it",
        "so). Its stack holds what swtch pops: six callee-saved registers, fn in",
        "R12 and arg in R13, then thread_start as the return address. Returns",
        "NULL when memory is out.",
      );
      w.fn("struct thread *thread_create(const char *name, void (*fn)(void *), void *arg)", () => {
        w.line(`struct thread *t = page_alloc(0);
void *stack = page_alloc(STACK_ORDER);
if (t == NULL || stack == NULL) {
    if (t != NULL)
        page_free(t, 0);
    if (stack != NULL)
        page_free(stack, STACK_ORDER);
    return NULL;
}
_Static_assert(sizeof(struct thread) <= 4096, "a thread fits one page");
memset(t, 0, sizeof *t);
t->id = next_id++;
t->name = name;
t->stack = stack;
t->state = T_RUNNABLE;
uint64 *sp = (uint64 *)((uint8 *)stack + STACK_BYTES);
*--sp = (uint64)thread_start; /* swtch's ret goes here, leaving RSP 16-byte aligned */
*--sp = 0;                    /* rbp: ends the backtrace */
*--sp = 0;                    /* rbx */
*--sp = (uint64)fn;           /* r12 */
*--sp = (uint64)arg;          /* r13 */
*--sp = 0;                    /* r14 */
*--sp = 0;                    /* r15 */
t->rsp = (uint64)sp;
return t;`);
      });
      w.blank();
      w.comment("Make a created thread runnable.");
      w.fn("void thread_run(struct thread *t)", () => {
        w.line("uint64 f = irq_save();", "sched_enqueue(t, 0);", "irq_restore(f);");
      });
      w.blank();
      w.comment("End the current thread: its caches go back, a joiner wakes up, and the CPU moves on for good.");
      w.fn("void thread_exit(void)", () => {
        w.line("struct thread *t = curthread;", "intr_off();");
        if (tcache) w.line("tcache_flush(t);");
        w.line(`fpu_forget(t);
t->state = T_DEAD;
if (t->joiner != NULL) {
    t->joiner->state = T_RUNNABLE;
    sched_enqueue(t->joiner, 0);
}
switch_to_next(t);
panic("proc: a dead thread ran again");`);
      });
      w.blank();
      w.comment("Block the current thread (interrupts off) until thread_wake; returns when it runs again.");
      w.fn("void thread_sleep(void)", () => {
        w.line(`struct thread *me = curthread;
sched_account(me, rdtsc() - me->run_start, 0);
me->state = T_BLOCKED;
switch_to_next(me);`);
      });
      w.blank();
      w.comment("Make a thread blocked in thread_sleep runnable again (interrupts off); any other state is left as it is.");
      w.fn("void thread_wake(struct thread *t)", () => {
        w.line("if (t != NULL && t->state == T_BLOCKED) {").indent(() => w.line("t->state = T_RUNNABLE;", "sched_enqueue(t, 0);"));
        w.line("}");
      });
      w.blank();
      w.comment("Set the current thread's SYSCALL entry (execve may change its ABI), now and at every switch back to it.");
      w.fn("void thread_set_lstar(uint64 entry)", () => {
        w.line("uint64 f = irq_save();", "curthread->lstar = entry;", "wrmsr(MSR_LSTAR, entry);", "current_lstar = entry;", "irq_restore(f);");
      });
      w.blank();
      w.comment("Switch the current thread to address space cr3 (execve), now and at every switch back to it.");
      w.fn("void thread_set_cr3(uint64 cr3)", () => {
        w.line("uint64 f = irq_save();", "curthread->cr3 = cr3;", "write_cr3(cr3);", "current_cr3 = cr3;", "irq_restore(f);");
      });
      w.blank();
      w.comment("Wait until t has exited, then free its stack and struct. Blocks instead of spinning, so it starves no one.");
      w.fn("void thread_join(struct thread *t)", () => {
        w.line(`uint64 f = irq_save();
if (t->state != T_DEAD) {
    struct thread *me = curthread;
    sched_account(me, rdtsc() - me->run_start, 0);
    me->state = T_BLOCKED;
    t->joiner = me;
    switch_to_next(me);
}
irq_restore(f);
page_free(t->stack, STACK_ORDER);
page_free(t, 0);`);
      });
    });
  },
};
