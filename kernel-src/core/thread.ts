// include/thread.h: struct thread, what the scheduler, the context switch,
// the FPU code and the thread cache all know about a kernel thread.
import type { KernelTemplateInput } from "../input.ts";
import { portOf } from "../ports.ts";
import { emit, type Template } from "../template.ts";

const source = "core/thread.ts";

export const thread: Template = {
  source,
  render({ arch, kernel: k }: KernelTemplateInput) {
    const tcache = k.allocator.threadCacheObjects > 0;
    const predictive = k.scheduler.policy === "predictive";
    const options = ["kernel.scheduler.policy", "kernel.allocator.threadCacheObjects"];
    const summary = "struct thread: saved context, run-queue link, scheduling statistics, thread cache and FPU save area.";
    return emit({ source, path: "include/thread.h", summary, options }, (w) => {
      w.line("#pragma once");
      w.blank();
      w.line('#include "types.h"', '#include "memlayout.h"');
      w.blank();
      w.comment("kmalloc size classes: 16, 32, ..., 2048 bytes (core/slab.c).");
      w.line("#define KMALLOC_CLASSES 8", "#define KMALLOC_MAX 2048");
      w.line("#define SLAB_ORDER 2 /* a slab is 4 pages */", "#define SLAB_BYTES (PGSIZE << SLAB_ORDER)");
      w.blank();
      w.comment("At the start of every slab, so kfree finds an object's class from its address.");
      w.line("struct slab {", "    uint32 cls;", "    uint32 objects;", "};");
      w.line("static inline struct slab *slab_of(void *p)", "{", "    return (struct slab *)((uint64)p & ~(uint64)(SLAB_BYTES - 1));", "}");
      w.line("#define STACK_ORDER 2 /* kernel stacks: 16 KiB ... */", "#define STACK_BYTES (PGSIZE << STACK_ORDER) /* ... a user frame (include/frame.h) at the top */");
      w.blank();
      w.line("enum thread_state { T_RUNNABLE = 1, T_RUNNING, T_BLOCKED, T_DEAD };");
      if (tcache) {
        w.blank();
        w.comment("Per-thread free lists, one per size class, in front of the per-CPU slabs: no locking, no interrupts off.");
        w.line("struct tcache {", "    void *head[KMALLOC_CLASSES];", "    uint32 count[KMALLOC_CLASSES];", "};");
        w.line(`#define TCACHE_MAX ${k.allocator.threadCacheObjects} /* kernel.allocator.threadCacheObjects: objects a list holds */`);
      }
      w.blank();
      w.comment("A kernel thread. context is all of its registers kept here: arch_switch saves the rest on the thread's own stack.");
      w.block("struct thread {", () => {
        w.line(
          "uint64 context;             /* saved by arch_switch while the thread is off the CPU */",
          "struct thread *next;        /* run-queue link */",
          "uint32 id;",
          "enum thread_state state;",
          "const char *name;",
          "void *stack;                /* STACK_ORDER pages from the buddy allocator */",
          "uint64 run_start;           /* arch_cycles() when it last got the CPU */",
          "uint64 switches;            /* times it gave up the CPU */",
          "struct thread *joiner;      /* blocked in thread_join on this thread */",
          "uint64 space;               /* its address space (a page-table root); 0: the kernel's */",
          "void *proc;                 /* its struct uproc when it is a user process */",
          "int kill_pending;           /* a user process its parent killed: it dies at its next checkpoint */",
          "uint32 work;                /* a kill, a signal or its first syscall may wait: its syscalls leave the slow way (core/syscall.c) */",
          "uint64 tls_base;            /* its TLS base (a Linux program's, arch_prctl); loaded on each switch to it */",
          "uint64 abi_entry;           /* its ABI's syscall entry (ARCH_ENTRY_*); 0: a kernel thread. Loaded on each switch to it */",
        );
        if (predictive) {
          w.line(
            "uint64 ema;                 /* predicted run duration, TSC cycles */",
            "uint64 burst;               /* cycles run since it last gave up the CPU by itself */",
            "uint32 samples;             /* run durations seen, up to EXO_SCHED_HISTORY */",
            "uint32 queue;               /* 0 hot, 1 normal, 2 cold */",
          );
        }
        if (tcache) w.line("struct tcache tc;");
        w.line("uint32 fpu_used;            /* has FPU/SSE state worth keeping */", `_Alignas(16) uint8 fpu[${portOf(arch).fpuStateBytes ?? 512}]; /* the port's FPU save area */`);
      }, "};");
      w.blank();
      w.line("extern struct thread *curthread;");
      w.line("extern uint32 syscall_work; /* curthread->work, for the syscall entries (core/syscall.c) */", "void syscall_work_set(struct thread *t);");
      if (tcache) {
        w.blank();
        w.comment(
          "kmalloc and kfree: the thread cache's fast paths, inline in every caller: a pop",
          "or a push on the current thread's list of the class; core/tcache.c's slow",
          "paths go to the per-CPU slab when a list is empty or full.",
        );
        w.line("void *tcache_refill(uint32 cls);", "void tcache_drain(void *p, uint32 cls);");
        w.blank();
        w.comment("Allocate size bytes (at most KMALLOC_MAX; bigger requests use page_alloc). Returns NULL when memory is out.");
        w.fn("static inline void *kmalloc(uint64 size)", () => {
          w.line(`if (size > KMALLOC_MAX)
    return NULL;
uint32 cls = size <= 16 ? 0 : (uint32)(60 - __builtin_clzl(size - 1)); /* kmalloc_class, folded for a constant size */
struct tcache *tc = &curthread->tc;
void **o = tc->head[cls];
if (__builtin_expect(o == NULL, 0))
    return tcache_refill(cls);
tc->head[cls] = *o;
tc->count[cls]--;
return o;`);
        });
        w.blank();
        w.comment("Free an object from kmalloc into the current thread's cache; a full list first drains half to the slab.");
        w.fn("static inline void kfree(void *p)", () => {
          w.line(`uint32 cls = slab_of(p)->cls;
struct tcache *tc = &curthread->tc;
if (__builtin_expect(tc->count[cls] >= TCACHE_MAX, 0)) {
    tcache_drain(p, cls);
    return;
}
*(void **)p = tc->head[cls];
tc->head[cls] = p;
tc->count[cls]++;`);
        });
      }
    });
  },
};
