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
      w.line('#include "types.h"', '#include "cpu.h"', '#include "errno.h"', '#include "memlayout.h"', '#include "thread.h"', '#include "ufile.h"', '#include "policy.h"', '#include "defs.h"');
      w.blank();
      w.line(`struct uproc {
    struct thread *thread;
    struct uproc *parent;         /* NULL: started by the kernel */
    uint64 pml4;                  /* its address space */
    const struct policy *policy;  /* its sandbox policy (core/sandbox.c); NULL: started by the kernel with caps */
    uint64 caps;                  /* CAP_* bits (include/policy.h) it holds */
    uint64 mapped;                /* pages it holds from mmap */
    uint64 denied;                /* CAP_* bits whose denial was already printed */
    uint64 entry, sp, arg0, arg1;
    struct linux_state *lx;       /* a Linux-ABI process's state (a page); NULL: an Exo one */
    int64 status;                 /* exit status; -1 when killed */
    int killed;                   /* 1: a kill ended it; 2: a fault */
    uint32 pid, index;            /* pid, and its place in procs */
    char name[32];
    struct ufile files[UPROC_FILES];
};`);
      w.blank();
      w.line("extern const char initcode_start[], initcode_end[];", "static struct uproc *procs[UPROC_MAX];", "static uint32 next_pid = 1;");
      w.blank();
      w.comment("The process's kernel thread: straight to user mode at its entry point.");
      w.fn("static void uproc_main(void *arg)", () => {
        w.line("struct uproc *p = arg;", "enter_user(p->entry, p->sp, p->arg0, p->arg1);");
      });
      w.blank();
      w.comment(
        "A new process in a free place of the table: an empty address space, not",
        "yet running. NULL when the table or memory is full.",
      );
      w.fn("static struct uproc *uproc_new(const char *name, const struct policy *policy, uint64 caps, uint64 arg0, uint64 arg1)", () => {
        w.line(`struct uproc *p = kmalloc(sizeof *p);
if (p == NULL)
    return NULL;
memset(p, 0, sizeof *p);
if ((p->pml4 = uvm_create()) == 0) {
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
file_table_init(p->files);
uint64 f = irq_save();
for (p->index = 0; p->index < UPROC_MAX && procs[p->index] != NULL; p->index++)
    ;
if (p->index < UPROC_MAX) {
    procs[p->index] = p;
    p->pid = next_pid++;
}
irq_restore(f);
if (p->index == UPROC_MAX)
    goto fail;
return p;
fail:
uvm_free(p->pml4);
kfree(p);
return NULL;`);
      });
      w.blank();
      w.comment("Free p and its place in the table. Its children lose their parent: no one can wait for or kill them now.");
      w.fn("static void uproc_discard(struct uproc *p)", () => {
        w.line(`uint64 f = irq_save();
procs[p->index] = NULL;
for (int i = 0; i < UPROC_MAX; i++)
    if (procs[i] != NULL && procs[i]->parent == p)
        procs[i]->parent = NULL;
irq_restore(f);
uvm_free(p->pml4);
if (p->lx != NULL)
    page_free(p->lx, 0);
kfree(p);`);
      });
      w.blank();
      w.comment("Map an Exo program's stack: the top of its window. Returns 0, or -ENOMEM.");
      w.fn("static int64 exo_stack(struct uproc *p)", () => {
        w.line(`for (uint64 i = 1; i <= USER_STACK_PAGES; i++)
    if (uvm_map_zeroed(p->pml4, USER_STACK_TOP - i * 4096, UVM_WRITE) == NULL)
        return -ENOMEM;
p->sp = USER_STACK_TOP;
return 0;`);
      });
      w.blank();
      w.comment(
        "Make p a Linux-ABI process: its state, a stack of LINUX_STACK_PAGES under",
        "LINUX_STACK_TOP (the page below stays unmapped: a guard) holding the System V",
        "initial stack (argc 1, argv[0] the program's path, envp PATH=/exo/bin, the",
        "auxiliary vector), brk after its last segment. Returns 0, or -ENOMEM.",
      );
      w.fn("static int64 linux_start(struct uproc *p, const char *path, const struct elf_info *info)", () => {
        w.line(`char argv0[130];
static const char env[] = "PATH=/exo/bin";
uint8 rnd[16];
uint64 v[40], n = 0, i = 0;
if ((p->lx = page_alloc(0)) == NULL)
    return -ENOMEM;
memset(p->lx, 0, sizeof *p->lx);
p->lx->brk_start = p->lx->brk = info->end;
p->lx->mmap_next = LINUX_MMAP_TOP;
for (uint64 k = 1; k <= LINUX_STACK_PAGES; k++)
    if (uvm_map_zeroed(p->pml4, LINUX_STACK_TOP - k * 4096, UVM_WRITE) == NULL)
        return -ENOMEM;
if (path[0] != '/')
    argv0[i++] = '/';
for (uint64 k = 0; path[k] != 0 && i + 1 < sizeof argv0; k++)
    argv0[i++] = path[k];
argv0[i++] = 0;
/* The strings and AT_RANDOM's bytes at the top, then the vectors below, 16-byte aligned at argc. */
uint64 sp = LINUX_STACK_TOP - i, argv0_va = sp;
uvm_write(p->pml4, sp, argv0, i);
sp -= sizeof env;
uint64 env_va = sp;
uvm_write(p->pml4, sp, env, sizeof env);
linux_random(rnd, sizeof rnd);
sp = (sp - sizeof rnd) & ~15UL;
uint64 rnd_va = sp;
uvm_write(p->pml4, sp, rnd, sizeof rnd);
v[n++] = 1;
v[n++] = argv0_va;
v[n++] = 0;
v[n++] = env_va;
v[n++] = 0;
const uint64 aux[][2] = {
    { 3, info->phdr }, { 4, info->phent }, { 5, info->phnum }, { 6, 4096 }, { 9, info->entry }, /* AT_PHDR, AT_PHENT, AT_PHNUM, AT_PAGESZ, AT_ENTRY */
    { 11, 0 }, { 12, 0 }, { 13, 0 }, { 14, 0 }, { 23, 0 }, { 25, rnd_va }, { 0, 0 }, /* AT_UID, AT_EUID, AT_GID, AT_EGID, AT_SECURE, AT_RANDOM, AT_NULL */
};
for (uint64 k = 0; k < sizeof aux / sizeof aux[0]; k++) {
    v[n++] = aux[k][0];
    v[n++] = aux[k][1];
}
sp = (sp - n * 8) & ~15UL;
uvm_write(p->pml4, sp, v, n * 8);
p->sp = sp;
p->arg0 = p->arg1 = 0;
return 0;`);
      });
      w.blank();
      w.comment("Start p's thread at entry. Returns p, or NULL (p discarded) when memory is out.");
      w.fn("static struct uproc *uproc_start(struct uproc *p, uint64 entry)", () => {
        w.line(`p->entry = entry;
p->thread = thread_create(p->name, uproc_main, p);
if (p->thread == NULL) {
    uproc_discard(p);
    return NULL;
}
p->thread->cr3 = p->pml4;
p->thread->proc = p;
thread_run(p->thread);
return p;`);
      });
      w.blank();
      w.comment("Start a process running the built-in program (initcode) with arguments arg0, arg1. NULL when memory is out.");
      w.fn("struct uproc *uproc_spawn(const char *name, uint64 caps, uint64 arg0, uint64 arg1)", () => {
        w.line(`struct uproc *p = uproc_new(name, NULL, caps, arg0, arg1);
uint64 size = (uint64)(initcode_end - initcode_start);
if (p == NULL)
    return NULL;
if (exo_stack(p) != 0) {
    uproc_discard(p);
    return NULL;
}
for (uint64 off = 0; off < size; off += 4096) {
    uint8 *page = uvm_map_zeroed(p->pml4, USER_BASE + off, 0);
    if (page == NULL) {
        uproc_discard(p);
        return NULL;
    }
    memcpy(page, initcode_start + off, size - off < 4096 ? size - off : 4096);
}
return uproc_start(p, USER_BASE);`);
      });
      w.blank();
      w.comment("Start the ELF program at path in the initrd under policy (NULL: with caps) with argument arg. Returns 0 with *out set, or -errno.");
      w.fn("static int64 spawn_elf(const char *path, const struct policy *policy, uint64 caps, uint64 arg, struct uproc **out)", () => {
        w.line(`const uint8 *data;
uint64 len;
struct elf_info info;
if (!initrd_lookup(path, &data, &len))
    return -ENOENT;
struct uproc *p = uproc_new(path, policy, caps, arg, 0);
if (p == NULL)
    return -ENOMEM;
int64 err = elf_load(p->pml4, data, len, &info);
if (err == 0)
    err = info.exo ? exo_stack(p) : linux_start(p, path, &info);
if (err != 0) {
    uproc_discard(p);
    return err;
}
if (uproc_start(p, info.entry) == NULL)
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
      w.comment("Wait for p to end; free it. Returns its exit status; *killed says whether a fault or a kill ended it.");
      w.fn("int64 uproc_wait(struct uproc *p, int *killed)", () => {
        w.line(`thread_join(p->thread);
int64 status = p->status;
*killed = p->killed;
uproc_discard(p);
return status;`);
      });
      w.blank();
      w.comment("Whether p is still running (or runnable): it has not exited nor been killed.");
      w.fn("int uproc_alive(struct uproc *p)", () => w.line("return p->thread->state != T_DEAD;"));
      w.blank();
      w.fn("uint32 uproc_pid(void)", () => w.line("return ((struct uproc *)curthread->proc)->pid;"));
      w.fn("uint64 uproc_caps(void)", () => w.line("return ((struct uproc *)curthread->proc)->caps;"));
      w.fn("const struct policy *uproc_policy(void)", () => w.line("return ((struct uproc *)curthread->proc)->policy;"));
      w.fn("struct linux_state *uproc_linux(void)", () => w.line("struct uproc *p = curthread->proc;", "return p != NULL ? p->lx : NULL;"));
      w.fn("uint64 uproc_pml4(void)", () => w.line("return ((struct uproc *)curthread->proc)->pml4;"));
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
uint64 pages = (len + 4095) / 4096;
if (len == 0 || len > USER_SIZE)
    return -ENOMEM;
if (p->policy != NULL && p->mapped + pages > p->policy->memory_pages) {
    sandbox_deny(CAP_MEMORY_MAP, "past %u pages", (uint32)p->policy->memory_pages);
    return -ENOMEM;
}
uint64 va = uvm_alloc(p->pml4, len);
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
uint64 pages = len / 4096;
if (p->policy != NULL && p->mapped + pages > p->policy->memory_pages) {
    sandbox_deny(CAP_MEMORY_MAP, "past %u pages", (uint32)p->policy->memory_pages);
    return -ENOMEM;
}
if (uvm_alloc_at(p->pml4, va, len, prot) != 0)
    return -ENOMEM;
p->mapped += pages;
return 0;`);
      });
      w.blank();
      w.comment("munmap: unmap [va, va + len) and free its pages, which count against the limit no more.");
      w.fn("int64 uproc_munmap(uint64 va, uint64 len)", () => {
        w.line(`struct uproc *p = curthread->proc;
int64 freed = uvm_dealloc(p->pml4, va, len);
if (freed < 0)
    return -EINVAL;
p->mapped -= (uint64)freed < p->mapped ? (uint64)freed : p->mapped;
return 0;`);
      });
      w.blank();
      w.comment("The exit syscall: record the status and end the thread.");
      w.fn("void uproc_exit(int64 status)", () => {
        w.line("((struct uproc *)curthread->proc)->status = status;", "file_close_all();", "thread_exit();");
      });
      w.blank();
      w.comment("An exception in user mode (from trap): report it and end the process; the kernel carries on.");
      w.fn("void uproc_kill(uint32 vector, uint64 rip, uint64 cr2)", () => {
        w.line(`struct uproc *p = curthread->proc;
kprintf("exo: proc %u killed: exception %u at rip %p cr2 %p\\n", p->pid, vector, (void *)rip, (void *)cr2);
p->killed = 2; /* a fault: wait tells it from a kill */
p->status = -1;
file_close_all();
thread_exit();`);
      });
      w.blank();
      w.comment("Where a killed process dies: called where it holds nothing (a syscall's return, a timer tick in user mode, a blocking wait).");
      w.fn("void uproc_checkpoint(void)", () => {
        w.line(`struct uproc *p = curthread->proc;
if (p == NULL || !curthread->kill_pending)
    return;
kprintf("exo: proc %u (%s) killed by its parent\\n", p->pid, p->name);
p->killed = 1;
p->status = -1;
file_close_all();
thread_exit();`);
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
      w.comment(`wait(pid, status): wait for a child to end and free it; *status gets its exit status, ${KILLED_STATUS} when it was killed, ${FAULTED_STATUS} when a fault ended it.`);
      w.fn("int64 uproc_sys_wait(uint64 pid, uint64 status_va)", () => {
        w.line(`int killed;
struct uproc *p = child(pid);
if (p == NULL)
    return -ECHILD;
if (status_va != 0 && !uvm_check(status_va, sizeof(int64), 1))
    return -EFAULT;
int64 status = uproc_wait(p, &killed);
if (status_va != 0)
    *(int64 *)status_va = killed == 2 ? ${FAULTED_STATUS} : killed ? ${KILLED_STATUS} : status;
return (int64)pid;`);
      });
      w.blank();
      w.comment("kill(pid): end a child at its next checkpoint. A process blocked in wait dies once that wait ends.");
      w.fn("int64 uproc_sys_kill(uint64 pid)", () => {
        w.line(`struct uproc *p = child(pid);
if (p == NULL)
    return -ESRCH;
if (p->thread != NULL)
    p->thread->kill_pending = 1;
return 0;`);
      });
    });
  },
};
