// include/process.h: struct uproc and what core/uproc.c, core/lxproc.c (fork,
// execve, wait4) and core/signal.c share about processes: the table, how a
// process ends, and the signal numbers the kernel itself sends.
import { emit, type Template } from "../template.ts";

const source = "core/process.ts";

/** Linux signal numbers the kernel raises or treats specially. */
export const SIGNALS = { SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGCHLD: 17, SIGCONT: 18, SIGSTOP: 19 } as const;

export const processH: Template = {
  source,
  render() {
    const summary = "struct uproc, the process table and the functions of uproc.c, lxproc.c and signal.c.";
    return emit({ source, path: "include/process.h", summary, options: [] }, (w) => {
      w.line("#pragma once");
      w.blank();
      w.line('#include "types.h"', '#include "ufile.h"');
      w.blank();
      w.line(...Object.entries(SIGNALS).map(([name, nr]) => `#define ${name} ${nr}`));
      // Not `(s) - 1`: clang-format 14 takes `(s)` for a cast there and writes `(s)-1`.
      w.line("#define SIGBIT(s) (1UL << (-1 + (s))) /* bit s - 1 */");
      w.blank();
      w.line("struct trapframe;", "struct elf_info;", "struct policy;");
      w.blank();
      w.line(`struct uproc {
    struct thread *thread;
    struct uproc *parent;         /* NULL: started by the kernel, or its parent ended first */
    uint64 space;                 /* its address space: a page-table root (physical) */
    const struct policy *policy;  /* its sandbox policy (core/sandbox.c); NULL: started by the kernel with caps */
    uint64 caps;                  /* CAP_* bits (include/policy.h) it holds */
    uint64 mapped;                /* pages it holds from mmap */
    uint64 denied;                /* CAP_* bits whose denial was already printed */
    uint64 entry, sp, arg0, arg1;
    struct linux_state *lx;       /* a Linux-ABI process's state (a page); NULL: an Exo one */
    struct trapframe *fork_frame; /* a forked child's first registers, until it runs */
    uint64 sig_pending;           /* SIGBIT of each signal sent and not yet acted on */
    int64 status;                 /* exit status; -1 when killed */
    int killed;                   /* 1: a kill ended it; 2: a fault */
    int termsig;                  /* the signal that ended it; 0: it exited */
    int waiting;                  /* blocked in wait4 until a child ends */
    int orphan;                   /* its parent ended first: freed once it ends */
    uint32 pid, index;            /* pid, and its place in procs */
    char name[32];
    struct ufile *files;          /* its descriptors and working directory (core/file.c file_table_alloc) */
};`);
      w.blank();
      w.line("extern struct uproc *procs[UPROC_MAX];");
      w.blank();
      w.comment("core/uproc.c");
      w.line(
        "struct uproc *uproc_new(const char *name, const struct policy *policy, uint64 caps, uint64 arg0, uint64 arg1);",
        "void uproc_discard(struct uproc *p);",
        "int64 uproc_exec_image(struct uproc *p, uint64 space, const char *const *argv, const char *const *envp, const struct elf_info *info);",
        "struct uproc *uproc_start_thread(struct uproc *p, void (*fn)(void *));",
        "void uproc_end(struct uproc *p, int64 status, int termsig) __attribute__((noreturn));",
      );
      w.blank();
      w.comment("core/lxproc.c");
      w.line(
        "int64 lx_clone(uint64 flags, uint64 newsp, uint64 parent_tid, uint64 child_tid, uint64 tls);",
        "int64 lx_execve(uint64 path_va, uint64 argv_va, uint64 envp_va);",
        "int64 exec_spawned(struct uproc *p, const char *path);",
        "int64 lx_wait4(int64 pid, uint64 status_va, uint64 options, uint64 rusage_va);",
        "int64 lx_kill(int64 pid, uint64 sig);",
        "int64 lx_getppid(void);",
      );
      w.blank();
      w.comment("core/syscall.c: the hot tier's table (a port's syscall entry may call it without the full frame), and the work on the way out");
      w.line(
        "extern int64 (*const hot_exo[])(uint64 a0, uint64 a1, uint64 a2, uint64 a3, uint64 a4, uint64 a5);",
        "extern const uint64 hot_exo_count;",
        "int syscall_hot_exit(void);",
        "void syscall_exit_work(struct trapframe *tf);",
      );
      w.blank();
      w.comment("arch/<arch>/sigframe.c: the port's signal frame, Linux's for that architecture");
      w.line("int arch_signal_push(struct trapframe *tf, int sig, uint64 handler, uint64 restorer, uint64 oldmask);", "int arch_signal_pop(struct trapframe *tf, uint64 *mask, uint64 *ret);");
      w.blank();
      w.comment("core/signal.c");
      w.line(
        "void signal_send(struct uproc *p, int sig);",
        "int signal_fatal_pending(struct uproc *p);",
        "int signal_interrupts(void);",
        "void signal_deliver(struct trapframe *tf);",
        "int64 signal_action(uint64 sig, uint64 act_va, uint64 old_va);",
        "int64 signal_mask(uint64 how, uint64 set_va, uint64 old_va);",
        "int64 signal_return(struct trapframe *tf);",
        "void signal_exec_reset(struct uproc *p);",
      );
    });
  },
};
