// core/lxproc.c: the Linux process syscalls. fork (and clone without
// threads) copies the caller with copy-on-write pages (arch/x86_64/cow.c),
// its descriptors, signal actions and registers: the child returns 0 from
// the same syscall. execve replaces the program in place (an ELF, or a `#!`
// script run by its interpreter), checked whole before the old one is let
// go. wait4 reaps children; kill sends signals (core/signal.c). A child runs
// under its parent's sandbox policy: these need the `process` capability,
// never `spawn`, which chooses another policy.
import { emit, type Template } from "../template.ts";

const source = "core/lxproc.ts";

/** Limits on what execve copies in: argument and environment strings, and the bytes of them all. */
export const EXEC_LIMITS = { args: 256, bytes: 64 * 1024, shebangDepth: 4 } as const;

export const lxproc: Template = {
  source,
  render() {
    const summary = "Linux process syscalls: fork/clone with copy-on-write, execve of ELF programs and #! scripts, wait4, kill, getppid.";
    return emit({ source, path: "core/lxproc.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "arch.h"', '#include "errno.h"', '#include "memlayout.h"', '#include "thread.h"', '#include "policy.h"', '#include "frame.h"', '#include "process.h"', '#include "defs.h"');
      w.blank();
      w.line(
        `#define EXEC_ARGS ${EXEC_LIMITS.args}      /* argument strings, and environment strings, execve takes */`,
        `#define EXEC_BYTES ${EXEC_LIMITS.bytes}  /* bytes of all of them */`,
        `#define SHEBANG_DEPTH ${EXEC_LIMITS.shebangDepth}  /* scripts whose interpreter is a script, as Linux allows */`,
        "#define CLONE_SIGHAND 0x800",
        "#define CLONE_THREAD 0x10000",
        "#define CLONE_SETTLS 0x80000",
        "#define CLONE_PARENT_SETTID 0x100000",
        "#define CLONE_CHILD_SETTID 0x1000000",
        "#define WNOHANG 1",
      );
      w.blank();
      w.comment("A forked child's thread: its parent's registers at the fork (returning 0), straight back to user mode.");
      w.fn("static void fork_main(void *arg)", () => {
        w.line(`struct uproc *p = arg;
struct trapframe tf = *p->fork_frame;
kfree(p->fork_frame);
p->fork_frame = NULL;
user_return(&tf);`);
      });
      w.blank();
      w.comment(
        "clone(flags, newsp, parent_tid, child_tid, tls) as fork: a new process,",
        "never a thread (CLONE_THREAD and CLONE_SIGHAND are -EINVAL). CLONE_VM is",
        "taken as a copy (posix_spawn's vfork: the child runs on newsp in its own",
        "copy and execs). Returns the child's pid; the child gets 0.",
      );
      w.fn("int64 lx_clone(uint64 flags, uint64 newsp, uint64 parent_tid, uint64 child_tid, uint64 tls)", () => {
        w.line(`struct uproc *self = curthread->proc, *c;
uint8 fpu[512] __attribute__((aligned(16)));
if (flags & (CLONE_THREAD | CLONE_SIGHAND))
    return -EINVAL;
if ((flags & CLONE_PARENT_SETTID) && !uvm_check(parent_tid, 4, 1))
    return -EFAULT;
if ((flags & CLONE_SETTLS) && tls >= USER_LIMIT)
    return -EPERM;
if ((c = uproc_new(self->name, self->policy, self->caps, 0, 0)) == NULL)
    return -EAGAIN;
uvm_free(c->space);
c->space = uvm_fork(self->space);
c->lx = page_alloc(0);
c->fork_frame = kmalloc(sizeof *c->fork_frame);
if (c->space == 0 || c->lx == NULL || c->fork_frame == NULL || file_table_copy(c->files, self->files) != 0) {
    if (c->space == 0)
        c->space = uvm_create(); /* discard frees one */
    uproc_discard(c);
    return -ENOMEM;
}
memcpy(c->lx, self->lx, sizeof *c->lx);
c->caps = self->caps;
c->mapped = self->mapped;
c->denied = self->denied;
*c->fork_frame = *user_frame();
frame_set_return(c->fork_frame, 0);
if (newsp != 0)
    frame_set_sp(c->fork_frame, newsp);
if ((flags & CLONE_CHILD_SETTID) && cow_fault(c->space, child_tid) >= 0)
    uvm_write(c->space, child_tid, &c->pid, 4);
if (flags & CLONE_PARENT_SETTID)
    *(uint32 *)parent_tid = c->pid;
fpu_copy_current(fpu);
preempt_off(); /* the child must not run before its thread has the parent's TLS and FPU state */
if (uproc_start_thread(c, fork_main) == NULL) {
    preempt_on();
    return -ENOMEM;
}
c->thread->tls_base = flags & CLONE_SETTLS ? tls : curthread->tls_base;
fpu_give(c->thread, fpu);
preempt_on();
return (int64)c->pid;`);
      });
      w.blank();
      w.comment(
        "Copy the NULL-terminated array of strings at user address va (NULL: none)",
        "into buf from *used on, and their addresses into out (at most EXEC_ARGS,",
        "then NULL). Returns how many, or -EFAULT / -E2BIG.",
      );
      w.fn("static int64 copy_strings(uint64 va, const char **out, char *buf, uint64 *used)", () => {
        w.line(`uint64 n = 0;
for (; va != 0; n++, va += 8) {
    if (!uvm_check(va, 8, 0))
        return -EFAULT;
    uint64 s = *(const uint64 *)va;
    if (s == 0)
        break;
    if (n == EXEC_ARGS)
        return -E2BIG;
    int64 len = uvm_copy_str(buf + *used, s, EXEC_BYTES - *used);
    if (len < 0)
        return len == -1 ? -EFAULT : -E2BIG;
    out[n] = buf + *used;
    *used += (uint64)len + 1;
}
out[n] = NULL;
return (int64)n;`);
      });
      w.blank();
      w.comment(
        "A `#!` script's interpreter line: the interpreter's path into interp and",
        "its one optional argument into arg (empty when none). Returns 0, or",
        "-ENOEXEC for a line without an absolute interpreter or longer than 127 bytes.",
      );
      w.fn("static int64 shebang(const uint8 *data, uint64 len, char interp[128], char arg[128])", () => {
        w.line(`uint64 i = 2, n = 0;
while (i < len && (data[i] == ' ' || data[i] == '\\t'))
    i++;
if (i >= len || data[i] != '/')
    return -ENOEXEC;
for (; i < len && data[i] != '\\n' && data[i] != ' ' && data[i] != '\\t'; i++) {
    if (n == 127 || data[i] == 0)
        return -ENOEXEC;
    interp[n++] = (char)data[i];
}
interp[n] = 0;
while (i < len && (data[i] == ' ' || data[i] == '\\t'))
    i++;
for (n = 0; i < len && data[i] != '\\n'; i++) {
    if (n == 127 || data[i] == 0)
        return -ENOEXEC;
    arg[n++] = (char)data[i];
}
while (n > 0 && (arg[n - 1] == ' ' || arg[n - 1] == '\\t' || arg[n - 1] == '\\r'))
    n--;
arg[n] = 0;
return 0;`);
      });
      w.blank();
      w.comment(
        "Load the program at path (cleaned, no leading slash, room for 256 bytes)",
        "into a new address space for p. A `#!` script becomes its interpreter,",
        "with argv [interpreter, its argument if any, the script's path, argv[1]...]",
        "built in spare (the strings go into buf after *used). For execve the",
        "sandbox decides first, as for reading the file (checked); spawn chose its",
        "program by policy already. Returns the address space with p's entry and",
        "stack set, or -errno with p unchanged.",
      );
      w.fn("static int64 load(struct uproc *p, char *path, const char **argv, const char **spare, char *buf, uint64 *used, const char *const *envp, int checked)", () => {
        w.line(`const uint8 *data;
uint64 len;
struct elf_info info;
for (int depth = 0;; depth++) {
    int64 err = checked ? sandbox_open(path, 0) : 0;
    if (err != 0)
        return err;
    if (!initrd_lookup(path, &data, &len))
        return initrd_is_dir(path) ? -EACCES : -ENOENT;
    if (len < 2 || data[0] != '#' || data[1] != '!')
        break;
    char interp[128], arg[128];
    if (depth == SHEBANG_DEPTH)
        return -ELOOP;
    if ((err = shebang(data, len, interp, arg)) != 0)
        return err;
    uint64 n = 0, need = strlen(interp) + strlen(arg) + strlen(path) + 4;
    if (*used + need > EXEC_BYTES)
        return -E2BIG;
    spare[n++] = memcpy(buf + *used, interp, strlen(interp) + 1);
    *used += strlen(interp) + 1;
    if (arg[0] != 0) {
        spare[n++] = memcpy(buf + *used, arg, strlen(arg) + 1);
        *used += strlen(arg) + 1;
    }
    buf[*used] = '/';
    memcpy(buf + *used + 1, path, strlen(path) + 1);
    spare[n++] = buf + *used;
    *used += strlen(path) + 2;
    for (uint64 i = 1; argv[0] != NULL && argv[i] != NULL && n < EXEC_ARGS; i++)
        spare[n++] = argv[i];
    spare[n] = NULL;
    const char **t = argv;
    argv = spare;
    spare = t;
    if (path_clean(path, 256, "", interp) < 0)
        return -ENOENT;
}
uint64 space = uvm_create();
if (space == 0)
    return -ENOMEM;
int64 err = elf_load(space, data, len, &info);
if (err == 0)
    err = uproc_exec_image(p, space, argv, envp, &info);
if (err != 0) {
    uvm_free(space);
    return err;
}
return (int64)space;`);
      });
      w.blank();
      w.comment(
        "The program at path (an ELF or a `#!` script) loaded for a process spawn",
        "or the kernel starts: argv [its path with a leading slash], envp",
        "PATH=/exo/bin. Returns its address space with p's entry and stack set, or",
        "-errno.",
      );
      w.fn("int64 exec_spawned(struct uproc *p, const char *path)", () => {
        w.line(`char clean[256];
uint64 used = 0;
if (path_clean(clean, sizeof clean, "", path) < 0)
    return -ENOENT;
char *buf = page_alloc(5);
if (buf == NULL)
    return -ENOMEM;
const char **argv = (const char **)(buf + EXEC_BYTES), **spare = argv + EXEC_ARGS + 1;
const char *envp[] = { "PATH=/exo/bin", NULL };
buf[0] = '/';
memcpy(buf + 1, clean, strlen(clean) + 1);
used = strlen(clean) + 2;
argv[0] = buf;
argv[1] = NULL;
int64 r = load(p, clean, argv, spare, buf, &used, envp, 0);
page_free(buf, 5);
return r;`);
      });
      w.blank();
      w.comment(
        "execve(path, argv, envp): the new program replaces the caller's, which is",
        "let go only once the new one is loaded (an error leaves the caller as it",
        "was). Descriptors marked close-on-exec close, handlers reset, TLS and the",
        "registers start clean; the pid, the policy and the other descriptors stay.",
      );
      w.fn("int64 lx_execve(uint64 path_va, uint64 argv_va, uint64 envp_va)", () => {
        w.line(`struct uproc *p = curthread->proc;
char raw[256], path[256];
uint64 used = 0;
int64 n = uvm_copy_str(raw, path_va, sizeof raw);
if (n < 0)
    return n == -1 ? -EFAULT : -ENAMETOOLONG;
if (path_clean(path, sizeof path, "", raw) < 0)
    return -ENOENT;
char *buf = page_alloc(5); /* the strings (EXEC_BYTES), then three arrays: argv, envp, a spare argv for scripts */
if (buf == NULL)
    return -ENOMEM;
const char **argv = (const char **)(buf + EXEC_BYTES), **envp = argv + EXEC_ARGS + 1, **spare = envp + EXEC_ARGS + 1;
int64 r = copy_strings(argv_va, argv, buf, &used);
if (r >= 0)
    r = copy_strings(envp_va, envp, buf, &used);
if (r >= 0)
    r = load(p, path, argv, spare, buf, &used, envp, 1);
if (r < 0) {
    page_free(buf, 5);
    return r;
}
uint64 old = p->space;
p->space = (uint64)r;
thread_set_space(p->space);
uvm_free(old);
page_free(buf, 5);
p->mapped = 0;
uint64 i = 0;
for (const char *s = path; *s != 0 && i + 1 < sizeof p->name; s++)
    p->name[i++] = *s;
p->name[i] = 0;
signal_exec_reset(p);
file_table_exec(p->files);
thread_set_tls(0);
thread_set_syscall_entry(p->lx != NULL ? ARCH_ENTRY_LINUX : ARCH_ENTRY_EXO); /* the new program's ABI */
frame_start_user(user_frame(), p->entry, p->sp, p->arg0);
return 0;`);
      });
      w.blank();
      w.comment(
        "The wait status of an ended child: its exit code in bits 8-15, or the",
        "signal that ended it in bits 0-6 (no core dumps).",
      );
      w.fn("static uint32 wait_status(const struct uproc *c)", () => {
        w.line("return c->termsig != 0 ? (uint32)c->termsig & 0x7f : ((uint32)c->status & 0xff) << 8;");
      });
      w.blank();
      w.comment(
        "wait4(pid, status, options, rusage): reap an ended child (pid -1, 0 or",
        "below -1: any, there being no process groups; else that one). Blocks",
        "until one ends unless WNOHANG (0 then); -ECHILD without such a child;",
        "-EINTR when a signal with a handler comes first. rusage is all zeros.",
      );
      w.fn("int64 lx_wait4(int64 pid, uint64 status_va, uint64 options, uint64 rusage_va)", () => {
        w.line(`struct uproc *self = curthread->proc;
if (options & ~(uint64)(WNOHANG | 2 | 8 | 0x40000000 | 0x80000000)) /* WUNTRACED, WCONTINUED, __WALL, __WCLONE: nothing stops */
    return -EINVAL;
if ((status_va != 0 && !uvm_check(status_va, 4, 1)) || (rusage_va != 0 && !uvm_check(rusage_va, 144, 1)))
    return -EFAULT;
for (;;) {
    struct uproc *ended = NULL;
    int any = 0;
    uint64 f = arch_irq_save();
    for (int i = 0; i < UPROC_MAX && ended == NULL; i++) {
        struct uproc *c = procs[i];
        if (c == NULL || c->parent != self || (pid > 0 && c->pid != (uint64)pid))
            continue;
        any = 1;
        if (c->thread != NULL && c->thread->state == T_DEAD)
            ended = c;
    }
    if (ended != NULL) {
        arch_irq_restore(f);
        uint32 id = ended->pid;
        if (status_va != 0)
            *(uint32 *)status_va = wait_status(ended);
        if (rusage_va != 0)
            memset((void *)rusage_va, 0, 144);
        uproc_discard(ended);
        return (int64)id;
    }
    if (!any || (options & WNOHANG)) {
        arch_irq_restore(f);
        return any ? 0 : -ECHILD;
    }
    if (curthread->kill_pending || signal_fatal_pending(self) || signal_interrupts()) {
        arch_irq_restore(f);
        uproc_checkpoint();
        return -EINTR;
    }
    self->waiting = 1;
    thread_sleep();
    self->waiting = 0;
    arch_irq_restore(f);
}`);
      });
      w.blank();
      w.comment("Whether p is c or one of c's descendants.");
      w.fn("static int descends(const struct uproc *p, const struct uproc *c)", () => {
        w.line(`for (; p != NULL; p = p->parent)
    if (p == c)
        return 1;
return 0;`);
      });
      w.blank();
      w.comment(
        "kill(pid, sig): pid > 0 one process, which must be the caller or one of",
        "its descendants (-EPERM for any other, -ESRCH for none); pid 0, -1 or",
        "below: the caller and all its descendants. Signalling another process",
        "needs the signal capability. sig 0 only checks.",
      );
      w.fn("int64 lx_kill(int64 pid, uint64 sig)", () => {
        w.line(`struct uproc *self = curthread->proc;
int found = 0;
if (sig > 64)
    return -EINVAL;
for (int i = 0; i < UPROC_MAX; i++) {
    struct uproc *c = procs[i];
    if (c == NULL || (c->thread != NULL && c->thread->state == T_DEAD))
        continue;
    if (pid > 0 && c->pid != (uint64)pid)
        continue;
    if (!descends(c, self)) {
        if (pid > 0)
            return -EPERM;
        continue;
    }
    if (c != self && !(self->caps & CAP_SIGNAL)) {
        sandbox_deny(CAP_SIGNAL, "kill %u", c->pid);
        return -EPERM;
    }
    found = 1;
    if (sig != 0)
        signal_send(c, (int)sig);
}
return found ? 0 : -ESRCH;`);
      });
      w.blank();
      w.comment("getppid: the parent's pid; 1 (init) for an orphan, 0 for a process the kernel started.");
      w.fn("int64 lx_getppid(void)", () => {
        w.line("struct uproc *p = curthread->proc;", "return p->parent != NULL ? (int64)p->parent->pid : p->orphan ? 1 : 0;");
      });
    });
  },
};
