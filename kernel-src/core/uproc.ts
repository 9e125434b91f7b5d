// core/uproc.c: user processes. A process is a kernel thread with an address
// space of its own (arch/x86_64/vm.c), a set of capabilities, open files and
// an exit status. It runs a static ELF program from the initrd (spawn, and
// init at boot) or the built-in test program (initcode.S). A fault in user
// mode kills the process, never the kernel; so does kill() from its parent,
// at the process's next checkpoint: a syscall, a timer tick in user mode, or
// a wait for a ring. A program with the Exo note runs under Exo's ABI in the
// 2 MiB window; any other under Linux's (core/linux.c), at its own addresses,
// with the System V initial stack, a brk heap and an mmap area.
import type { KernelTemplateInput } from "../input.ts";
import { FAULTED_STATUS, KILLED_STATUS } from "../errno.ts";
import { assertNamesFit } from "../../schemas/limits.ts";
import { emit, type Template } from "../template.ts";
import { POLICY_MAX_MACRO } from "./policy.ts";

const source = "core/uproc.ts";

export const uproc: Template = {
  source,
  render({ sandbox }: KernelTemplateInput) {
    // The schema refuses longer names; one here could never be asked for whole by spawn.
    assertNamesFit("sandbox policy name", Object.keys(sandbox?.policies ?? {}));
    const summary =
      "User processes: spawn an ELF from the initrd (or the built-in program) under a sandbox policy, exit, wait, kill at a checkpoint, die on a fault; mmap within the policy's pages.";
    return emit({ source, path: "core/uproc.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "arch.h"', '#include "errno.h"', '#include "memlayout.h"', '#include "thread.h"', '#include "ufile.h"', '#include "policy.h"', '#include "defs.h"');
      w.blank();
      w.line('#include "frame.h"', '#include "process.h"');
      w.blank();
      w.line("extern const char initcode_start[], initcode_end[];", "struct uproc *procs[UPROC_MAX];", "static void reap_orphans(void);", "static uint32 next_pid = 1;");
      w.blank();
      w.comment("The process's kernel thread: straight to user mode at its entry point.");
      w.fn("static void uproc_main(void *arg)", () => {
        w.line("struct uproc *p = arg;", "arch_enter_user(p->entry, p->sp, p->arg0, p->arg1);");
      });
      w.blank();
      w.comment(
        "A new process in a free place of the table: an empty address space, not",
        "yet running. NULL when the table or memory is full.",
      );
      w.fn("struct uproc *uproc_new(const char *name, const struct policy *policy, uint64 caps, uint64 arg0, uint64 arg1)", () => {
        w.line(`reap_orphans();
struct uproc *p = kmalloc(sizeof *p);
if (p == NULL)
    return NULL;
memset(p, 0, sizeof *p);
if ((p->space = uvm_create()) == 0) {
    kfree(p);
    return NULL;
}
for (uint64 i = 0; i + 1 < sizeof p->name && name[i] != 0; i++)
    p->name[i] = name[i];
p->policy = policy;
p->caps = policy != NULL ? policy->caps : caps;
p->arg0 = arg0;
p->arg1 = arg1;
p->parent = curthread->proc;
if ((p->files = file_table_alloc()) == NULL)
    goto fail;
uint64 f = arch_irq_save();
for (p->index = 0; p->index < UPROC_MAX && procs[p->index] != NULL; p->index++)
    ;
if (p->index < UPROC_MAX) {
    procs[p->index] = p;
    p->pid = next_pid++;
}
arch_irq_restore(f);
if (p->index == UPROC_MAX)
    goto fail;
return p;
fail:
if (p->files != NULL)
    file_table_free(p->files);
uvm_free(p->space);
kfree(p);
return NULL;`);
      });
      w.blank();
      w.comment("Free p and its place in the table. Its children lose their parent: no one can wait for or kill them now, and they are freed once they end.");
      w.fn("void uproc_discard(struct uproc *p)", () => {
        w.line(`uint64 f = arch_irq_save();
procs[p->index] = NULL;
for (int i = 0; i < UPROC_MAX; i++)
    if (procs[i] != NULL && procs[i]->parent == p) {
        procs[i]->parent = NULL;
        procs[i]->orphan = 1;
    }
arch_irq_restore(f);
if (p->thread != NULL)
    thread_join(p->thread); /* it has ended: frees its stack */
uvm_free(p->space);
if (p->fork_frame != NULL)
    kfree(p->fork_frame);
if (p->lx != NULL)
    page_free(p->lx, 0);
if (p->files != NULL)
    file_table_free(p->files);
kfree(p);`);
      });
      w.blank();
      w.comment("Map an Exo program's stack in the address space `space`: the top of its window. Returns 0, or -ENOMEM.");
      w.fn("static int64 exo_stack(struct uproc *p, uint64 space)", () => {
        w.line(`for (uint64 i = 1; i <= USER_STACK_PAGES; i++)
    if (uvm_map_zeroed(space, USER_STACK_TOP - i * PGSIZE, UVM_WRITE) == NULL)
        return -ENOMEM;
p->sp = USER_STACK_TOP;
return 0;`);
      });
      w.blank();
      w.comment(
        "Build the System V initial stack of a Linux-ABI program in the address",
        "space `space`: a stack of LINUX_STACK_PAGES under LINUX_STACK_TOP (the page below",
        "stays unmapped: a guard) holding the argument and environment strings, 16",
        "random bytes, then argc, argv, envp and the auxiliary vector. Returns the",
        "stack pointer, or 0 when memory is out or the strings do not fit (E2BIG).",
      );
      w.fn("static uint64 linux_stack(uint64 space, const char *const *argv, const char *const *envp, const struct elf_info *info)", () => {
        w.line(`uint64 argc = 0, envc = 0, strings = 0;
for (; argv[argc] != NULL; argc++)
    strings += strlen(argv[argc]) + 1;
for (; envp[envc] != NULL; envc++)
    strings += strlen(envp[envc]) + 1;
uint64 vectors = (1 + argc + 1 + envc + 1 + 2 * 12) * 8;
if (strings + 16 + vectors + 64 > LINUX_STACK_PAGES * PGSIZE)
    return 0;
for (uint64 k = 1; k <= LINUX_STACK_PAGES; k++)
    if (uvm_map_zeroed(space, LINUX_STACK_TOP - k * PGSIZE, UVM_WRITE) == NULL)
        return 0;
uint64 *v = kmalloc(vectors), n = 0, sp = LINUX_STACK_TOP;
uint8 rnd[16];
if (v == NULL)
    return 0;
v[n++] = argc;
for (uint64 i = 0; i < argc; i++) {
    sp -= strlen(argv[i]) + 1;
    uvm_write(space, sp, argv[i], strlen(argv[i]) + 1);
    v[n++] = sp;
}
v[n++] = 0;
for (uint64 i = 0; i < envc; i++) {
    sp -= strlen(envp[i]) + 1;
    uvm_write(space, sp, envp[i], strlen(envp[i]) + 1);
    v[n++] = sp;
}
v[n++] = 0;
linux_random(rnd, sizeof rnd);
sp = (sp - sizeof rnd) & ~15UL;
uvm_write(space, sp, rnd, sizeof rnd);
const uint64 aux[][2] = {
    { 3, info->phdr },   /* AT_PHDR */
    { 4, info->phent },  /* AT_PHENT */
    { 5, info->phnum },  /* AT_PHNUM */
    { 6, PGSIZE },       /* AT_PAGESZ */
    { 9, info->entry },  /* AT_ENTRY */
    { 11, 0 },           /* AT_UID */
    { 12, 0 },           /* AT_EUID */
    { 13, 0 },           /* AT_GID */
    { 14, 0 },           /* AT_EGID */
    { 23, 0 },           /* AT_SECURE */
    { 25, sp },          /* AT_RANDOM */
    { 0, 0 },            /* AT_NULL */
};
for (uint64 k = 0; k < sizeof aux / sizeof aux[0]; k++) {
    v[n++] = aux[k][0];
    v[n++] = aux[k][1];
}
sp = (sp - n * 8) & ~15UL;
uvm_write(space, sp, v, n * 8);
kfree(v);
return sp;`);
      });
      w.blank();
      w.comment(
        "Give p the program just loaded into space (info): a Linux one its state",
        "(brk after its last segment, the mmap area) and initial stack, an Exo one",
        "its stack at the top of its window. Sets p's entry and stack pointer.",
        "Returns 0, or -ENOMEM / -E2BIG; on an error p is unchanged.",
      );
      w.fn("int64 uproc_exec_image(struct uproc *p, uint64 space, const char *const *argv, const char *const *envp, const struct elf_info *info)", () => {
        w.line(`if (info->exo) {
    if (exo_stack(p, space) != 0)
        return -ENOMEM;
    if (p->lx != NULL)
        page_free(p->lx, 0);
    p->lx = NULL;
} else {
    struct linux_state *lx = p->lx;
    uint64 sp = linux_stack(space, argv, envp, info);
    if (sp == 0)
        return -E2BIG;
    if (lx == NULL && (lx = page_alloc(0)) == NULL)
        return -ENOMEM;
    if (p->lx == NULL)
        memset(lx, 0, sizeof *lx);
    lx->brk_start = lx->brk = info->end;
    lx->mmap_next = LINUX_MMAP_TOP;
    p->lx = lx;
    p->sp = sp;
    p->arg0 = p->arg1 = 0;
}
p->entry = info->entry;
return 0;`);
      });
      w.blank();
      w.comment("Start p's thread running fn(p). Returns p, or NULL (p discarded) when memory is out.");
      w.fn("struct uproc *uproc_start_thread(struct uproc *p, void (*fn)(void *))", () => {
        w.line(`p->thread = thread_create(p->name, fn, p);
if (p->thread == NULL) {
    uproc_discard(p);
    return NULL;
}
p->thread->space = p->space;
p->thread->proc = p;
p->thread->abi_entry = p->lx != NULL ? ARCH_ENTRY_LINUX : ARCH_ENTRY_EXO;
thread_run(p->thread);
return p;`);
      });
      w.blank();
      w.comment("Start a process running the built-in program (initcode) with arguments arg0, arg1. NULL when memory is out.");
      w.comment("Start p's thread at entry, in user mode. Returns p, or NULL (p discarded) when memory is out.");
      w.fn("static struct uproc *uproc_start(struct uproc *p, uint64 entry)", () => {
        w.line("p->entry = entry;", "return uproc_start_thread(p, uproc_main);");
      });
      w.blank();
      w.fn("struct uproc *uproc_spawn(const char *name, uint64 caps, uint64 arg0, uint64 arg1)", () => {
        w.line(`struct uproc *p = uproc_new(name, NULL, caps, arg0, arg1);
uint64 size = (uint64)(initcode_end - initcode_start);
if (p == NULL)
    return NULL;
if (exo_stack(p, p->space) != 0) {
    uproc_discard(p);
    return NULL;
}
for (uint64 off = 0; off < size; off += PGSIZE) {
    uint8 *page = uvm_map_zeroed(p->space, USER_BASE + off, 0);
    if (page == NULL) {
        uproc_discard(p);
        return NULL;
    }
    memcpy(page, initcode_start + off, size - off < PGSIZE ? size - off : PGSIZE);
}
return uproc_start(p, USER_BASE);`);
      });
      w.blank();
      w.comment("Start the program at path in the initrd (an ELF, or a `#!` script run by its interpreter) under policy (NULL: with caps) with argument arg. Returns 0 with *out set, or -errno.");
      w.fn("static int64 spawn_elf(const char *path, const struct policy *policy, uint64 caps, uint64 arg, struct uproc **out)", () => {
        w.line(`struct uproc *p = uproc_new(path, policy, caps, arg, 0);
if (p == NULL)
    return -ENOMEM;
int64 r = exec_spawned(p, path);
if (r < 0) {
    uproc_discard(p);
    return r;
}
uvm_free(p->space);
p->space = (uint64)r;
if (uproc_start(p, p->entry) == NULL)
    return -ENOMEM;
*out = p;
return 0;`);
      });
      w.blank();
      w.comment("Start the ELF program at path with the capabilities caps and no memory limit (the self-tests).");
      w.fn("int64 uproc_spawn_file(const char *path, uint64 caps, uint64 arg, struct uproc **out)", () => {
        w.line("return spawn_elf(path, NULL, caps, arg, out);");
      });
      w.blank();
      w.comment("Start the ELF program at path under a sandbox policy (init, at boot).");
      w.fn("int64 uproc_spawn_policy(const char *path, const struct policy *policy, uint64 arg, struct uproc **out)", () => {
        w.line("return spawn_elf(path, policy, 0, arg, out);");
      });
      w.blank();
      w.comment("Wait for p to end; free it. Returns its exit status (-1 when killed); *killed says whether a fault or a kill ended it, *termsig by which signal.");
      w.fn("static int64 wait_end(struct uproc *p, int *killed, int *termsig)", () => {
        w.line(`thread_join(p->thread);
p->thread = NULL;
int64 status = p->status;
*killed = p->killed;
*termsig = p->termsig;
uproc_discard(p);
return status;`);
      });
      w.blank();
      w.comment("Wait for p to end; free it. Returns its exit status (-1 when killed); *killed says whether a fault or a kill ended it.");
      w.fn("int64 uproc_wait(struct uproc *p, int *killed)", () => w.line("int termsig;", "return wait_end(p, killed, &termsig);"));
      w.blank();
      w.comment("Whether p is still running (or runnable): it has not exited nor been killed.");
      w.fn("int uproc_alive(struct uproc *p)", () => w.line("return p->thread->state != T_DEAD;"));
      w.blank();
      w.fn("uint32 uproc_pid(void)", () => w.line("return ((struct uproc *)curthread->proc)->pid;"));
      w.fn("uint64 uproc_caps(void)", () => w.line("return ((struct uproc *)curthread->proc)->caps;"));
      w.fn("const struct policy *uproc_policy(void)", () => w.line("return ((struct uproc *)curthread->proc)->policy;"));
      w.fn("struct linux_state *uproc_linux(void)", () => w.line("struct uproc *p = curthread->proc;", "return p != NULL ? p->lx : NULL;"));
      w.fn("uint64 uproc_space(void)", () => w.line("return ((struct uproc *)curthread->proc)->space;"));
      w.fn("struct ufile *uproc_files(void)", () => w.line("return ((struct uproc *)curthread->proc)->files;"));
      w.blank();
      w.comment("Who a denial names: the process's policy, or the process when it runs under none.");
      w.fn("const char *uproc_subject(void)", () => {
        w.line("struct uproc *p = curthread->proc;", "return p->policy != NULL ? p->policy->name : p->name;");
      });
      w.blank();
      w.comment("1 the first time the current process is denied cap (a CAP_* bit), then 0: each denial is printed once.");
      w.fn("int uproc_first_denial(uint64 cap)", () => {
        w.line(`struct uproc *p = curthread->proc;
if (p->denied & cap)
    return 0;
p->denied |= cap;
return 1;`);
      });
      w.blank();
      w.comment(
        "mmap: len bytes of zeroed pages, counted against the policy's memoryPages",
        "(no limit for a process the kernel started without one). Past the limit",
        "is -ENOMEM, and a denial of memory.map.",
      );
      w.fn("int64 uproc_mmap(uint64 len)", () => {
        w.line(`struct uproc *p = curthread->proc;
uint64 pages = (len + PGSIZE - 1) / PGSIZE;
if (len == 0 || len > USER_SIZE)
    return -ENOMEM;
if (p->policy != NULL && p->mapped + pages > p->policy->memory_pages) {
    sandbox_deny(CAP_MEMORY_MAP, "past %u pages", (uint32)p->policy->memory_pages);
    return -ENOMEM;
}
uint64 va = uvm_alloc(p->space, len);
if (va == 0)
    return -ENOMEM;
p->mapped += pages;
return (int64)va;`);
      });
      w.blank();
      w.comment(
        "Map len bytes (page-aligned) of zeroed pages with rights prot at va, which",
        "must be free, counted against the policy's memoryPages like mmap. Returns",
        "0 or -ENOMEM. For a Linux process's mmap and brk.",
      );
      w.fn("int64 uproc_map_at(uint64 va, uint64 len, int prot)", () => {
        w.line(`struct uproc *p = curthread->proc;
uint64 pages = len / PGSIZE;
if (p->policy != NULL && p->mapped + pages > p->policy->memory_pages) {
    sandbox_deny(CAP_MEMORY_MAP, "past %u pages", (uint32)p->policy->memory_pages);
    return -ENOMEM;
}
if (uvm_alloc_at(p->space, va, len, prot) != 0)
    return -ENOMEM;
p->mapped += pages;
return 0;`);
      });
      w.blank();
      w.comment("munmap: unmap [va, va + len) and free its pages, which count against the limit no more.");
      w.fn("int64 uproc_munmap(uint64 va, uint64 len)", () => {
        w.line(`struct uproc *p = curthread->proc;
int64 freed = uvm_dealloc(p->space, va, len);
if (freed < 0)
    return -EINVAL;
p->mapped -= (uint64)freed < p->mapped ? (uint64)freed : p->mapped;
return 0;`);
      });
      w.blank();
      w.comment(
        "End the current process p: record how (status, or the signal termsig),",
        "close its descriptors (a pipe's other end sees EOF or EPIPE), tell its",
        "parent (SIGCHLD to a Linux one; a parent blocked in wait4 wakes), and end",
        "the thread. Its record stays until the parent waits, or, an orphan, until",
        "the next process is made.",
      );
      w.fn("void uproc_end(struct uproc *p, int64 status, int termsig)", () => {
        w.line(`p->status = status;
p->termsig = termsig;
file_close_all();
arch_intr_off(); /* until the thread is dead: a parent woken too early would wait for good */
struct uproc *parent = p->parent;
if (parent != NULL) {
    if (parent->lx != NULL)
        signal_send(parent, SIGCHLD);
    if (parent->waiting) {
        parent->waiting = 0;
        thread_wake(parent->thread);
    }
}
thread_exit();`);
      });
      w.blank();
      w.comment("Free the processes whose parent ended before them, once they have ended too.");
      w.fn("static void reap_orphans(void)", () => {
        w.line(`for (int i = 0; i < UPROC_MAX; i++) {
    struct uproc *p = procs[i];
    if (p != NULL && p->orphan && p->thread != NULL && p->thread->state == T_DEAD)
        uproc_discard(p);
}`);
      });
      w.blank();
      w.comment("The exit syscall: record the status and end the process.");
      w.fn("void uproc_exit(int64 status)", () => w.line("uproc_end(curthread->proc, status, 0);"));
      w.blank();
      w.comment("An exception in user mode (from trap): report it and end the process (SIGSEGV); the kernel carries on.");
      w.fn("void uproc_kill(uint32 vector, uint64 pc, uint64 addr)", () => {
        w.line(`struct uproc *p = curthread->proc;
kprintf("exo: proc %u killed: " ARCH_FAULT_FORMAT "\\n", p->pid, vector, (void *)pc, (void *)addr);
p->killed = 2; /* a fault: wait tells it from a kill */
uproc_end(p, -1, SIGSEGV);`);
      });
      w.blank();
      w.comment(
        "Where a killed process dies: called where it holds nothing (a syscall's",
        "return, a timer tick in user mode, a blocking wait). A kill by its parent",
        "(or SIGKILL) ends it, as does a signal whose action is to terminate.",
      );
      w.fn("void uproc_checkpoint(void)", () => {
        w.line(`struct uproc *p = curthread->proc;
int sig;
if (p == NULL)
    return;
if (curthread->kill_pending) {
    if (!(p->sig_pending & SIGBIT(SIGKILL)))
        kprintf("exo: proc %u (%s) killed by its parent\\n", p->pid, p->name);
    p->killed = 1;
    uproc_end(p, -1, SIGKILL);
}
if ((sig = signal_fatal_pending(p)) != 0) {
    p->killed = 1;
    uproc_end(p, -1, sig);
}`);
      });
      w.blank();
      w.comment("The current process's child with this pid, or NULL.");
      w.fn("static struct uproc *child(uint64 pid)", () => {
        w.line(`for (int i = 0; i < UPROC_MAX; i++)
    if (procs[i] != NULL && procs[i]->pid == pid && procs[i]->parent == curthread->proc)
        return procs[i];
return NULL;`);
      });
      w.blank();
      w.comment(
        "spawn(path, policy, arg): start the ELF program at path in the initrd (a",
        "leading slash is optional) under the sandbox policy named policy (NULL: the",
        "caller's own), with arg as main's argument. The spawn capability is the",
        "privilege of choosing any policy. Returns the child's pid. A policy name",
        `longer than ${POLICY_MAX_MACRO} is -EINVAL, never cut to a prefix that may name another policy.`,
      );
      w.fn("int64 uproc_sys_spawn(uint64 path_va, uint64 policy_va, uint64 arg)", () => {
        w.line(`char path[128], policy[${POLICY_MAX_MACRO} + 1];
struct uproc *self = curthread->proc, *p;
const struct policy *pol = self->policy;
int64 n = uvm_copy_str(path, path_va, sizeof path);
if (n < 0)
    return n == -1 ? -EFAULT : -ENAMETOOLONG;
if (policy_va != 0) {
    if ((n = uvm_copy_str(policy, policy_va, sizeof policy)) < 0) /* -2: no NUL within the field */
        return n == -1 ? -EFAULT : -EINVAL;
    if ((pol = policy_find(policy)) == NULL)
        return -EINVAL;
}
const char *file = path;
while (*file == '/') /* the process's name, as without the slash */
    file++;
int64 err = spawn_elf(file, pol, self->caps, arg, &p);
return err != 0 ? err : (int64)p->pid;`);
      });
      w.blank();
      w.comment(`wait(pid, status): wait for a child to end and free it; *status gets its exit status, or 128 + the signal that ended it: ${KILLED_STATUS} when it was killed, ${FAULTED_STATUS} when a fault ended it.`);
      w.fn("int64 uproc_sys_wait(uint64 pid, uint64 status_va)", () => {
        w.line(`int killed, termsig;
struct uproc *p = child(pid);
if (p == NULL)
    return -ECHILD;
if (status_va != 0 && !uvm_check(status_va, sizeof(int64), 1))
    return -EFAULT;
int64 status = wait_end(p, &killed, &termsig);
if (status_va != 0)
    *(int64 *)status_va = termsig != 0 ? 128 + termsig : status;
return (int64)pid;`);
      });
      w.blank();
      w.comment("kill(pid): end a child at its next checkpoint. A process blocked in wait dies once that wait ends.");
      w.fn("int64 uproc_sys_kill(uint64 pid)", () => {
        w.line(`struct uproc *p = child(pid);
if (p == NULL)
    return -ESRCH;
if (p->thread != NULL) {
    p->thread->kill_pending = 1;
    syscall_work_set(p->thread);
}
return 0;`);
      });
    });
  },
};
