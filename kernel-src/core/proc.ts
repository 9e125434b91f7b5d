// core/proc.c: kernel threads. Creation builds a stack that arch_switch can
// resume; yield, preemption, join and exit all end in switch_to_next, the one
// place that hands the CPU over.
import type { KernelTemplateInput } from "../input.ts";
import { emit, type Template } from "../template.ts";

const source = "core/proc.ts";

export const proc: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    const tcache = k.allocator.threadCacheObjects > 0;
    const summary = "Kernel threads: create, start, yield, preempt, join and exit, around the port's context switch (arch_switch).";
    return emit({ source, path: "core/proc.c", summary, options: ["kernel.allocator.threadCacheObjects"] }, (w) => {
      w.line('#include "types.h"', '#include "arch.h"', '#include "memlayout.h"', '#include "thread.h"', '#include "defs.h"');
      w.blank();
      w.comment("The boot thread: kmain becomes it, on the boot stack.");
      w.line('static struct thread thread0 = { .id = 0, .state = T_RUNNING, .name = "boot" };');
      w.line("struct thread *curthread = &thread0;", "static uint32 next_id = 1;");
      w.line("static uint64 current_space = ~0UL; /* the space (a thread's: 0 is the kernel's) the CPU runs on; none until the first switch loads one */");
      w.line("static uint64 current_tls; /* the running thread's TLS base (arch_prctl) as the CPU holds it */");
      w.line("static uint64 current_entry = ARCH_ENTRY_EXO; /* the syscall door the CPU holds (the port sets it first) */");
      w.blank();
      w.comment(
        "Give the CPU to next; old is already queued, blocked or dead. Interrupts",
        "are off. Returns when old runs again.",
        "Inline in yield and in switch_to_next: the way every switch goes.",
      );
      w.fn("static inline __attribute__((always_inline)) void switch_to(struct thread *old, struct thread *next)", () => {
        w.line(`next->state = T_RUNNING;
if (next != old) {
    old->switches++;
    curthread = next;
    if (next->space != current_space) { /* kernel threads share one address space: no TLB flush between them */
        arch_switch_space(next->space != 0 ? next->space : arch_kernel_space());
        current_space = next->space;
    }
    if (next->proc != NULL) { /* what only user mode uses: a kernel thread leaves it as it is */
        syscall_work = next->work;
        arch_set_kernel_stack((uint64)next->stack + STACK_BYTES);
        if (next->abi_entry != current_entry) { /* an Exo and a Linux program enter by different doors */
            arch_set_syscall_entry(next->abi_entry);
            current_entry = next->abi_entry;
        }
        if (next->tls_base != current_tls) { /* the kernel never uses the TLS base */
            arch_set_tls(next->tls_base);
            current_tls = next->tls_base;
        }
    }
    fpu_switch(old, next);
    arch_switch(&old->context, next->context);
}
old->run_start = arch_cycles();`);
      });
      w.blank();
      w.comment("Give the CPU to the next runnable thread the scheduler picks (yield's pick never fails: it has just queued itself).");
      w.fn("static void switch_to_next(struct thread *old)", () => {
        w.line("struct thread *next = sched_pick();", "if (next == NULL)").indent(() => w.line('panic("sched: no thread is runnable");'));
        w.line("switch_to(old, next);");
      });
      w.blank();
      w.comment("Set the current thread's TLS base (arch_prctl), now and at every switch back to it.");
      w.fn("void thread_set_tls(uint64 base)", () => {
        w.line("uint64 f = arch_irq_save();", "curthread->tls_base = base;", "arch_set_tls(base);", "current_tls = base;", "arch_irq_restore(f);");
      });
      w.blank();
      w.comment("Give up the CPU voluntarily; returns when the scheduler picks this thread again.");
      w.fn("void yield(void)", () => {
        w.line(`uint64 f = arch_irq_save();
struct thread *t = curthread;
switch_to(t, sched_yield_next(t, arch_cycles() - t->run_start));
arch_irq_restore(f);`);
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
sched_account(t, arch_cycles() - t->run_start, 1);
t->state = T_RUNNABLE;
sched_enqueue(t, 0);
switch_to_next(t);`);
      });
      w.blank();
      w.comment("Where a new thread starts (the first arch_switch into it): interrupts on, run fn, exit.");
      w.fn("void thread_entry(void (*fn)(void *), void *arg)", () => {
        w.line("curthread->run_start = arch_cycles();", "arch_intr_on();", "fn(arg);", "thread_exit();");
      });
      w.blank();
      w.comment(
        "A new thread that will run fn(arg), not yet runnable (thread_run makes it",
        "so): its stack starts with the context arch_context_init lays out.",
        "Returns NULL when memory is out.",
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
_Static_assert(sizeof(struct thread) <= PGSIZE, "a thread fits one page");
memset(t, 0, sizeof *t);
t->id = next_id++;
t->name = name;
t->stack = stack;
t->state = T_RUNNABLE;
t->work = 1; /* its first syscall, timed for boot_to_user */
t->context = arch_context_init((uint8 *)stack + STACK_BYTES, fn, arg);
return t;`);
      });
      w.blank();
      w.comment("Make a created thread runnable.");
      w.fn("void thread_run(struct thread *t)", () => {
        w.line("uint64 f = arch_irq_save();", "sched_enqueue(t, 0);", "arch_irq_restore(f);");
      });
      w.blank();
      w.comment("End the current thread: its caches go back, a joiner wakes up, and the CPU moves on for good.");
      w.fn("void thread_exit(void)", () => {
        w.line("struct thread *t = curthread;", "arch_intr_off();");
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
sched_account(me, arch_cycles() - me->run_start, 0);
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
      w.comment("Set the current thread's syscall entry (execve may change its ABI), now and at every switch back to it.");
      w.fn("void thread_set_syscall_entry(uint64 entry)", () => {
        w.line("uint64 f = arch_irq_save();", "curthread->abi_entry = entry;", "arch_set_syscall_entry(entry);", "current_entry = entry;", "arch_irq_restore(f);");
      });
      w.blank();
      w.comment("Switch the current thread to address space `space` (execve), now and at every switch back to it.");
      w.fn("void thread_set_space(uint64 space)", () => {
        w.line("uint64 f = arch_irq_save();", "curthread->space = space;", "arch_switch_space(space);", "current_space = space;", "arch_irq_restore(f);");
      });
      w.blank();
      w.comment("Wait until t has exited, then free its stack and struct. Blocks instead of spinning, so it starves no one.");
      w.fn("void thread_join(struct thread *t)", () => {
        w.line(`uint64 f = arch_irq_save();
if (t->state != T_DEAD) {
    struct thread *me = curthread;
    sched_account(me, arch_cycles() - me->run_start, 0);
    me->state = T_BLOCKED;
    t->joiner = me;
    switch_to_next(me);
}
arch_irq_restore(f);
page_free(t->stack, STACK_ORDER);
page_free(t, 0);`);
      });
    });
  },
};
