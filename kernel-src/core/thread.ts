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
      w.line("#define STACK_ORDER 2 /* kernel stacks: 16 KiB ... */", "#define STACK_BYTES (PGSIZE << STACK_ORDER) /* ... a user frame (include/frame.h) at the top */");
      w.blank();
      w.line("enum thread_state { T_RUNNABLE = 1, T_RUNNING, T_BLOCKED, T_DEAD };");
      if (tcache) {
        w.blank();
        w.comment("Per-thread free lists, one per size class, in front of the per-CPU slabs: no locking, no interrupts off.");
        w.line("struct tcache {", "    void *head[KMALLOC_CLASSES];", "    uint32 count[KMALLOC_CLASSES];", "};");
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
    });
  },
};
