// core/linux.c: the Linux x86_64 syscall ABI, for processes whose ELF has no
// Exo note (core/elf.c). Linux numbers in RAX, arguments in RDI, RSI, RDX,
// R10, R8, R9, -errno results. Each syscall needs the capability of its Exo
// equivalent (console for writes to the console, fs.read to read, memory.map for
// mmap and brk, time for clocks); open checks the sandbox's paths itself. A
// number not implemented is -ENOSYS, printed once per process by name.
import type { Capability } from "../../schemas/sandbox.ts";
import { emit, type Template } from "../template.ts";
import { alignColumns } from "../writer.ts";
import { capMacro } from "./policy.ts";
import { argsRead, emitColdPath, emitHotTable, type TierEntry } from "./tiers.ts";
import { syscallTiers, type TierName } from "../features.ts";
import type { KernelTemplateInput } from "../input.ts";
import type { KernelConfig } from "../../schemas/index.ts";
import type { SyscallName } from "../../schemas/kernel.ts";

const source = "core/linux.ts";

/** The Linux syscalls implemented: number, name, the capability the table checks first (null: none, or the handler checks). */
export const linuxSyscalls: readonly { nr: number; name: string; cap: Capability | null }[] = [
  { nr: 0, name: "read", cap: "fs.read" },
  { nr: 1, name: "write", cap: null },
  { nr: 2, name: "open", cap: null },
  { nr: 3, name: "close", cap: null },
  { nr: 4, name: "stat", cap: "fs.read" },
  { nr: 5, name: "fstat", cap: "fs.read" },
  { nr: 6, name: "lstat", cap: "fs.read" },
  { nr: 7, name: "poll", cap: null },
  { nr: 8, name: "lseek", cap: "fs.read" },
  { nr: 9, name: "mmap", cap: "memory.map" },
  { nr: 10, name: "mprotect", cap: "memory.map" },
  { nr: 11, name: "munmap", cap: "memory.map" },
  { nr: 12, name: "brk", cap: "memory.map" },
  { nr: 13, name: "rt_sigaction", cap: null },
  { nr: 14, name: "rt_sigprocmask", cap: null },
  { nr: 15, name: "rt_sigreturn", cap: null },
  { nr: 16, name: "ioctl", cap: null },
  { nr: 17, name: "pread64", cap: "fs.read" },
  { nr: 18, name: "pwrite64", cap: null },
  { nr: 19, name: "readv", cap: "fs.read" },
  { nr: 20, name: "writev", cap: null },
  { nr: 21, name: "access", cap: "fs.read" },
  { nr: 22, name: "pipe", cap: null },
  { nr: 24, name: "sched_yield", cap: null },
  { nr: 32, name: "dup", cap: null },
  { nr: 33, name: "dup2", cap: null },
  { nr: 35, name: "nanosleep", cap: "time" },
  { nr: 39, name: "getpid", cap: null },
  { nr: 56, name: "clone", cap: "process" },
  { nr: 57, name: "fork", cap: "process" },
  { nr: 58, name: "vfork", cap: "process" },
  { nr: 59, name: "execve", cap: "process" },
  { nr: 60, name: "exit", cap: null },
  { nr: 61, name: "wait4", cap: "process" },
  { nr: 62, name: "kill", cap: null },
  { nr: 63, name: "uname", cap: null },
  { nr: 72, name: "fcntl", cap: null },
  { nr: 77, name: "ftruncate", cap: null },
  { nr: 79, name: "getcwd", cap: null },
  { nr: 80, name: "chdir", cap: null },
  { nr: 81, name: "fchdir", cap: null },
  { nr: 82, name: "rename", cap: null },
  { nr: 83, name: "mkdir", cap: null },
  { nr: 84, name: "rmdir", cap: null },
  { nr: 85, name: "creat", cap: null },
  { nr: 87, name: "unlink", cap: null },
  { nr: 89, name: "readlink", cap: "fs.read" },
  { nr: 97, name: "getrlimit", cap: null },
  { nr: 102, name: "getuid", cap: null },
  { nr: 104, name: "getgid", cap: null },
  { nr: 107, name: "geteuid", cap: null },
  { nr: 108, name: "getegid", cap: null },
  { nr: 110, name: "getppid", cap: null },
  { nr: 158, name: "arch_prctl", cap: null },
  { nr: 186, name: "gettid", cap: null },
  { nr: 200, name: "tkill", cap: null },
  { nr: 217, name: "getdents64", cap: "fs.read" },
  { nr: 218, name: "set_tid_address", cap: null },
  { nr: 228, name: "clock_gettime", cap: "time" },
  { nr: 231, name: "exit_group", cap: null },
  { nr: 234, name: "tgkill", cap: null },
  { nr: 257, name: "openat", cap: null },
  { nr: 258, name: "mkdirat", cap: null },
  { nr: 262, name: "newfstatat", cap: "fs.read" },
  { nr: 263, name: "unlinkat", cap: null },
  { nr: 264, name: "renameat", cap: null },
  { nr: 267, name: "readlinkat", cap: "fs.read" },
  { nr: 269, name: "faccessat", cap: "fs.read" },
  { nr: 271, name: "ppoll", cap: null },
  { nr: 273, name: "set_robust_list", cap: null },
  { nr: 280, name: "utimensat", cap: null },
  { nr: 292, name: "dup3", cap: null },
  { nr: 293, name: "pipe2", cap: null },
  { nr: 302, name: "prlimit64", cap: null },
  { nr: 316, name: "renameat2", cap: null },
  { nr: 318, name: "getrandom", cap: null },
  { nr: 439, name: "faccessat2", cap: "fs.read" },
];

/** Names of common Linux syscalls not implemented, so that the ENOSYS line names them. */
const missingNames: Record<number, string> = {
  23: "select", 25: "mremap", 28: "madvise", 34: "pause", 37: "alarm",
  40: "sendfile", 41: "socket", 42: "connect", 74: "fsync", 78: "getdents",
  95: "umask", 96: "gettimeofday", 99: "sysinfo",
  109: "setpgid", 111: "getpgrp", 112: "setsid", 131: "sigaltstack", 137: "statfs",
  157: "prctl", 201: "time", 202: "futex", 204: "sched_getaffinity",
  230: "clock_nanosleep", 235: "utimes", 247: "waitid", 270: "pselect6",
  332: "statx", 334: "rseq",
  435: "clone3",
};

/** The C body of each implemented syscall; a0..a5 are its arguments. */
const handlers: Record<string, string> = {
  read: "return file_read(a0, a1, a2);",
  write: "return file_write(a0, a1, a2);",
  pipe: "return file_pipe(a0, 0);",
  pipe2: "return file_pipe(a0, a1);",
  dup: "return file_dup_from(a0, 0, 0);",
  dup2: `/* dup2 onto itself keeps the descriptor, when it is open. */
if (a0 == a1)
    return fd_file(a0) != NULL ? (int64)a0 : -EBADF;
return file_dup3(a0, a1, 0);`,
  dup3: "return file_dup3(a0, a1, a2);",
  fcntl: `/* F_DUPFD 0, F_GETFD 1, F_SETFD 2, F_GETFL 3, F_SETFL 4 (O_APPEND, O_NONBLOCK only), F_DUPFD_CLOEXEC 1030. */
struct ufile *f = fd_file(a0);
if (f == NULL)
    return -EBADF;
switch (a1) {
case 0:
    return file_dup_from(a0, a2, 0);
case 1030:
    return file_dup_from(a0, a2, 1);
case 1:
    return f->cloexec ? 1 : 0;
case 2:
    f->cloexec = (a2 & 1) != 0;
    return 0;
case 3:
    return (int64)f->flags;
case 4:
    f->flags = (f->flags & ~(uint64)(02000 | 04000)) | (a2 & (02000 | 04000));
    return 0;
default:
    return -EINVAL;
}`,
  nanosleep: `/* struct timespec { int64 sec, nsec; } at a0: the CPU yielded until the TSC passes it; the time left is never written, a signal with a handler interrupts it (EINTR). */
if (!uvm_check(a0, 16, 0))
    return -EFAULT;
const int64 *ts = (const int64 *)a0;
if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000)
    return -EINVAL;
uint64 us = (uint64)ts[0] * 1000000 + (uint64)ts[1] / 1000;
uint64 until = arch_cycles() + us * cycles_per_us;
while (arch_cycles() < until) {
    if (signal_interrupts())
        return -EINTR;
    yield();
    uproc_checkpoint();
}
return 0;`,
  open: "return file_open(a0, a1);",
  close: "return file_close(a0);",
  fstat: "return do_fstat(a0, a1);",
  lseek: "return file_lseek(a0, (int64)a1, a2);",
  mmap: "return do_mmap(a0, a1, a2, a3, a4, a5);",
  mprotect: `/* W^X: writable and executable at once is refused. */
int prot = prot_rights(a2);
if (prot < 0)
    return -EACCES;
if ((a0 & (PGSIZE - 1)) != 0 || uvm_protect(uproc_space(), a0, (a1 + PGSIZE - 1) & ~(PGSIZE - 1), prot) < 0)
    return -EINVAL;
return 0;`,
  munmap: `if ((a0 & (PGSIZE - 1)) != 0 || a1 == 0)
    return -EINVAL;
return uproc_munmap(a0, (a1 + PGSIZE - 1) & ~(PGSIZE - 1));`,
  brk: "return do_brk(a0);",
  rt_sigaction: "return signal_action(a0, a1, a2);",
  rt_sigprocmask: "return signal_mask(a0, a1, a2);",
  rt_sigreturn: "return signal_return(user_frame());",
  clone: "return lx_clone(a0, a1, a2, a3, a4);",
  fork: "return lx_clone(SIGCHLD, 0, 0, 0, 0);",
  vfork: "/* A copy-on-write fork: the parent need not wait for the child's execve. */\nreturn lx_clone(SIGCHLD, 0, 0, 0, 0);",
  execve: "return lx_execve(a0, a1, a2);",
  wait4: "/* pid_t is an int: only the low half of the register is the caller's. */\nreturn lx_wait4((int32)a0, a1, a2, a3);",
  kill: "return lx_kill((int32)a0, a1);",
  tkill: "/* One thread per process: a thread id is a pid. */\nreturn (int32)a0 <= 0 ? -EINVAL : lx_kill((int32)a0, a1);",
  tgkill: "return (int32)a1 <= 0 || (int32)a0 != (int32)a1 ? -EINVAL : lx_kill((int32)a1, a2);",
  getppid: "return lx_getppid();",
  gettid: "return uproc_pid();",
  sched_yield: "yield();\nreturn 0;",
  set_robust_list: "/* One thread per process: no robust futex list is ever walked, but the call is accepted (glibc makes it at start). */\nreturn a1 == 24 ? 0 : -EINVAL;",
  prlimit64: `/* The limits the kernel keeps, for the caller only: descriptors (UPROC_FILES) and the stack (LINUX_STACK_PAGES); the rest unlimited. They cannot be changed (-EPERM). */
if (a0 != 0 && (int32)a0 != (int32)uproc_pid())
    return -ESRCH;
if (a1 >= 16)
    return -EINVAL;
if (a2 != 0)
    return -EPERM;
if (a3 != 0) {
    if (!uvm_check(a3, 16, 1))
        return -EFAULT;
    uint64 v = a1 == 7 ? UPROC_FILES : a1 == 3 ? LINUX_STACK_PAGES * PGSIZE : ~0UL; /* RLIMIT_NOFILE, RLIMIT_STACK */
    ((uint64 *)a3)[0] = ((uint64 *)a3)[1] = v;
}
return 0;`,
  getrlimit: "return linux_prlimit64(0, a0, 0, a1, 0, 0);",
  getuid: "/* Every process runs as root: the sandbox, not the uid, says what it may do. */\nreturn 0;",
  getgid: "return 0;",
  geteuid: "return 0;",
  getegid: "return 0;",
  ioctl: `/* The console answers as a terminal of 24 x 80, so that musl's stdio line-buffers it; anything else is not a terminal. */
struct ufile *f = fd_file(a0);
if (f == NULL)
    return -EBADF;
if (f->kind != UF_CONSOLE)
    return -ENOTTY;
if (a1 == 0x5413) { /* TIOCGWINSZ: struct winsize { rows, cols, xpixel, ypixel } */
    if (!uvm_check(a2, 8, 1))
        return -EFAULT;
    uint16 *ws = (uint16 *)a2;
    ws[0] = 24;
    ws[1] = 80;
    ws[2] = ws[3] = 0;
    return 0;
}
if (a1 == 0x5401) { /* TCGETS: a struct termios (60 bytes) of a cooked terminal */
    if (!uvm_check(a2, 60, 1))
        return -EFAULT;
    uint32 *t = (uint32 *)a2;
    memset(t, 0, 60);
    t[0] = 0x500;   /* c_iflag: ICRNL | IXON */
    t[1] = 0x5;     /* c_oflag: OPOST | ONLCR */
    t[2] = 0xbf;    /* c_cflag: B38400 | CS8 | CREAD */
    t[3] = 0x8a3b;  /* c_lflag: ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN */
    return 0;
}
return -ENOTTY;`,
  writev: `/* struct iovec { void *base; uint64 len; }[a2] at a1, written in order (each a piece of the console). */
if (a2 > 1024 || !uvm_check(a1, a2 * 16, 0))
    return -EINVAL;
const uint64 *iov = (const uint64 *)a1;
int64 total = 0;
for (uint64 i = 0; i < a2; i++) {
    int64 n = file_write(a0, iov[2 * i], iov[2 * i + 1]);
    if (n < 0)
        return total > 0 ? total : n;
    total += n;
}
return total;`,
  readv: `/* struct iovec { void *base; uint64 len; }[a2] at a1, filled in order until a short read (musl's fread). */
if (a2 > 1024 || !uvm_check(a1, a2 * 16, 0))
    return -EINVAL;
const uint64 *iov = (const uint64 *)a1;
int64 total = 0;
for (uint64 i = 0; i < a2; i++) {
    if (iov[2 * i + 1] == 0)
        continue;
    int64 n = file_read(a0, iov[2 * i], iov[2 * i + 1]);
    if (n < 0)
        return total > 0 ? total : n;
    total += n;
    if ((uint64)n < iov[2 * i + 1])
        break;
}
return total;`,
  getpid: "return ((struct uproc *)curthread->proc)->pid; /* uproc_pid(), inline: a hot0 entry calls nothing */",
  exit: "uproc_exit((int64)(a0 & 0xff));\nreturn 0;",
  exit_group: "uproc_exit((int64)(a0 & 0xff));\nreturn 0;",
  uname: `/* struct utsname: six fields of 65 bytes. */
static const char fields[6][65] = { "Exo", "exo", "6.1.0-exo", "#1 Exo POSIX-X", "x86_64", "(none)" };
if (!uvm_check(a0, sizeof fields, 1))
    return -EFAULT;
memcpy((void *)a0, fields, sizeof fields);
return 0;`,
  arch_prctl: `/* ARCH_SET_FS / ARCH_GET_FS: the thread's TLS pointer, kept per thread and loaded on each switch. */
if (a0 == 0x1002) {
    if (a1 >= USER_LIMIT) /* a base outside user space would fault in the kernel's arch_set_tls */
        return -EPERM;
    thread_set_tls(a1);
    return 0;
}
if (a0 == 0x1003) {
    if (!uvm_check(a1, 8, 1))
        return -EFAULT;
    *(uint64 *)a1 = curthread->tls_base;
    return 0;
}
return -EINVAL;`,
  set_tid_address: "/* No threads yet: the tid is the pid, and nothing is cleared at exit. */\nreturn uproc_pid();",
  clock_gettime: `/* struct timespec { int64 sec, nsec; } at a1, from the calibrated TSC (every clock counts from boot). */
if (!uvm_check(a1, 16, 1))
    return -EFAULT;
uint64 *ts = (uint64 *)a1, ns = arch_cycles() / cycles_per_us * 1000;
ts[0] = ns / 1000000000;
ts[1] = ns % 1000000000;
return 0;`,
  getdents64: "return file_getdents64(a0, a1, a2);",
  readlink: "return file_readlink(a0, a1, a2);",
  readlinkat: `/* Like openat: AT_FDCWD (-100) or an absolute path. */
char first;
if ((int32)a0 != -100 && (!uvm_check(a1, 1, 0) || ((first = *(const char *)a1), first != '/')))
    return fd_file(a0) != NULL ? -ENOTDIR : -EBADF;
return file_readlink(a1, a2, a3);`,
  openat: "/* A relative path starts at a0's folder, or the working directory for AT_FDCWD (-100). */\nreturn file_openat((int64)a0, a1, a2);",
  newfstatat: `/* AT_EMPTY_PATH with "": fstat of a0; otherwise a path from a0 as openat's. Only the initrd has symlinks, always followed. */
if ((a3 & AT_EMPTY_PATH) && uvm_check(a1, 1, 0) && *(const char *)a1 == 0)
    return do_fstat(a0, a2);
uint64 size;
uint32 mode;
int64 err = file_stat_at((int64)a0, a1, &size, &mode);
return err != 0 ? err : stat_fill(a2, size, mode);`,
  stat: `uint64 size;
uint32 mode;
int64 err = file_stat_at(-100 /* AT_FDCWD */, a0, &size, &mode);
return err != 0 ? err : stat_fill(a1, size, mode);`,
  lstat: `/* stat: only the initrd has symlinks, always followed. */
uint64 size;
uint32 mode;
int64 err = file_stat_at(-100 /* AT_FDCWD */, a0, &size, &mode);
return err != 0 ? err : stat_fill(a1, size, mode);`,
  creat: "return file_open(a0, 01101); /* O_CREAT | O_TRUNC | O_WRONLY */",
  pread64: "return file_pread(a0, a1, a2, a3);",
  pwrite64: "return file_pwrite(a0, a1, a2, a3);",
  access: "return file_accessat(-100 /* AT_FDCWD */, a0, a1);",
  faccessat: "return file_accessat((int64)a0, a1, a2);",
  faccessat2: "/* The flags (AT_EACCESS, AT_SYMLINK_NOFOLLOW) change nothing: one user, no symlinks written. */\nreturn file_accessat((int64)a0, a1, a2);",
  ftruncate: "return file_ftruncate(a0, a1);",
  getcwd: "return file_getcwd(a0, a1);",
  chdir: "return file_chdir(a0);",
  fchdir: "return file_fchdir(a0);",
  mkdir: "return file_mkdirat(-100 /* AT_FDCWD */, a0);",
  mkdirat: "return file_mkdirat((int64)a0, a1);",
  rmdir: "return file_unlinkat(-100 /* AT_FDCWD */, a0, 0x200 /* AT_REMOVEDIR */);",
  unlink: "return file_unlinkat(-100 /* AT_FDCWD */, a0, 0);",
  unlinkat: "return file_unlinkat((int64)a0, a1, a2);",
  rename: "return file_renameat(-100 /* AT_FDCWD */, a0, -100, a1);",
  renameat: "return file_renameat((int64)a0, a1, (int64)a2, a3);",
  poll: "/* a2: milliseconds, negative for no limit. */\nreturn file_poll(a0, a1, (int64)(int32)a2 < 0 ? -1 : (int64)(int32)a2 * 1000);",
  ppoll: `/* struct timespec { int64 sec, nsec; } at a2, NULL for no limit; the signal mask is not applied: no signal interrupts the wait yet. */
if (a2 == 0)
    return file_poll(a0, a1, -1);
if (!uvm_check(a2, 16, 0))
    return -EFAULT;
const int64 *ts = (const int64 *)a2;
if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000)
    return -EINVAL;
return file_poll(a0, a1, ts[0] > 1000000000000 ? -1 : ts[0] * 1000000 + ts[1] / 1000); /* beyond 30000 years: no limit */`,
  utimensat: `/* Times are not kept; a NULL path (futimens) names the descriptor a0, always open for this. */
if (a1 == 0)
    return (int)a0 >= 0 && fd_file((uint64)(int)a0) != NULL ? 0 : -EBADF;
return file_utimens((int64)a0, a1);`,
  renameat2: `/* Flags: RENAME_NOREPLACE (1) only: -EEXIST when the new name is taken. */
uint64 size;
uint32 mode;
if ((a4 & ~1UL) != 0)
    return -EINVAL;
if ((a4 & 1) && file_stat_at((int64)a2, a3, &size, &mode) == 0)
    return -EEXIST;
return file_renameat((int64)a0, a1, (int64)a2, a3);`,
  getrandom: `/* Bytes of the kernel's generator (the TSC mixed through splitmix64): enough for hash seeds and AT_RANDOM, not for keys. */
if (a1 > 65536)
    a1 = 65536;
if (!uvm_check(a0, a1, 1))
    return -EFAULT;
linux_random((uint8 *)a0, a1);
return (int64)a1;`,
};

/** Each POSIX-X name (the tiers' options) as Linux calls it; null: Exo's own, with no Linux counterpart. */
export const linuxNameOf: Record<SyscallName, string | null> = {
  read: "read", write: "write", getpid: "getpid", clock_gettime: "clock_gettime", exit: "exit", yield: "sched_yield",
  ipc_send: null, ipc_recv: null, mmap: "mmap", munmap: "munmap", open: "open", close: "close", fstat: "fstat",
  lseek: "lseek", nanosleep: "nanosleep", spawn: null, wait: "wait4", kill: "kill",
};

/**
 * The tier of each implemented Linux syscall: that of its POSIX-X name, warm
 * for the rest. Throws when a POSIX-X name names a Linux syscall the table does
 * not implement: the tiers would then promise a path that is not there.
 */
export function linuxTiers(k: KernelConfig): Map<string, TierName> {
  const implemented = new Set(linuxSyscalls.map((s) => s.name));
  const byName = new Map<string, TierName>();
  for (const t of syscallTiers(k)) {
    for (const s of t.syscalls) {
      const name = linuxNameOf[s.name];
      if (name === null) continue;
      if (!implemented.has(name)) throw new Error(`${t.option} lists ${s.name}, whose Linux syscall ${name} core/linux.ts does not implement`);
      byName.set(name, t.tier);
    }
  }
  return new Map(linuxSyscalls.map((s) => [s.name, byName.get(s.name) ?? "warm"]));
}

export const linux: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    const tierOf = linuxTiers(k);
    const options = syscallTiers(k).map((t) => t.option);
    const summary = "The Linux x86_64 syscall ABI for programs without the Exo note: Linux numbers and registers, each syscall behind its Exo capability, in the tier of its POSIX-X name (warm for the rest), -ENOSYS (printed once per process by name) for the rest.";
    return emit({ source, path: "core/linux.c", summary, options }, (w) => {
      w.line('#include "types.h"', '#include "arch.h"', '#include "errno.h"', '#include "memlayout.h"', '#include "thread.h"', '#include "policy.h"', '#include "ufile.h"', '#include "frame.h"', '#include "process.h"', '#include "defs.h"');
      w.blank();
      w.line("typedef int64 (*linux_fn)(uint64 a0, uint64 a1, uint64 a2, uint64 a3, uint64 a4, uint64 a5);");
      w.line('#define AT_EMPTY_PATH 0x1000 /* newfstatat\'s flag: an empty path names the descriptor */');
      w.blank();
      w.comment("Fill the struct stat (144 bytes) at st_va: st_nlink 1, mode, size, blksize a page, blocks; times 0.");
      w.fn("static int64 stat_fill(uint64 st_va, uint64 size, uint32 mode)", () => {
        w.line(`if (!uvm_check(st_va, 144, 1))
    return -EFAULT;
uint8 *st = (uint8 *)st_va;
memset(st, 0, 144);
*(uint64 *)(st + 16) = 1;              /* st_nlink */
*(uint32 *)(st + 24) = mode;           /* st_mode */
*(uint64 *)(st + 48) = size;           /* st_size */
*(uint64 *)(st + 56) = PGSIZE;           /* st_blksize */
*(uint64 *)(st + 64) = (size + 511) / 512; /* st_blocks */
return 0;`);
      });
      w.blank();
      w.comment("fstat: size, st_mode and st_rdev of the descriptor, as core/file.c gives them.");
      w.fn("static int64 do_fstat(uint64 fd, uint64 st_va)", () => {
        w.line(`uint64 size, rdev;
uint32 mode;
int64 err = file_fd_stat(fd, &size, &mode, &rdev);
if (err == 0 && (err = stat_fill(st_va, size, mode)) == 0)
    *(uint64 *)((uint8 *)st_va + 40) = rdev; /* st_rdev */
return err;`);
      });
      w.blank();
      w.comment("uvm rights of PROT_* bits, or -1 for writable and executable (W^X). PROT_NONE maps read-only: no page is unreadable yet.");
      w.fn("static int prot_rights(uint64 prot)", () => {
        w.line(`if ((prot & 2) && (prot & 4))
    return -1;
return (prot & 2) ? UVM_WRITE : (prot & 4) ? 0 : UVM_NOEXEC;`);
      });
      w.blank();
      w.comment(
        "mmap(addr, len, prot, flags, fd, off): anonymous or file-backed private",
        "memory (a copy of the initrd file's bytes). Without MAP_FIXED the address",
        "comes from the mmap area, downwards from LINUX_MMAP_TOP; with it, what was",
        "mapped at addr goes first. Counted against the policy's memoryPages.",
      );
      w.fn("static int64 do_mmap(uint64 addr, uint64 len, uint64 prot, uint64 flags, uint64 fd, uint64 off)", () => {
        w.line(`struct linux_state *lx = uproc_linux();
int rights = prot_rights(prot);
uint64 size = (len + PGSIZE - 1) & ~(PGSIZE - 1), va;
struct ufile *f = NULL;
if (rights < 0)
    return -EACCES;
if (len == 0 || size < len || (off & (PGSIZE - 1)) != 0 || (flags & 3) != 2) /* MAP_PRIVATE only */
    return -EINVAL;
if ((flags & 0x20) == 0 && ((f = fd_file(fd)) == NULL || f->kind != UF_FILE)) /* not MAP_ANONYMOUS: a file of the initrd */
    return f != NULL ? -ENODEV : -EBADF;
if (flags & 0x10) { /* MAP_FIXED */
    if ((addr & (PGSIZE - 1)) != 0 || addr < USER_MIN || addr >= LINUX_MMAP_TOP || size > LINUX_MMAP_TOP - addr)
        return -EINVAL;
    uproc_munmap(addr, size);
    va = addr;
} else {
    if (size > lx->mmap_next - LINUX_MMAP_FLOOR)
        return -ENOMEM;
    va = lx->mmap_next - size;
}
int64 err = uproc_map_at(va, size, f != NULL ? UVM_WRITE : rights);
if (err != 0)
    return err;
if (!(flags & 0x10))
    lx->mmap_next = va;
if (f != NULL) {
    uint64 n = off >= f->size ? 0 : f->size - off;
    uvm_write(uproc_space(), va, f->data + off, n < len ? n : len);
    if (rights != UVM_WRITE)
        uvm_protect(uproc_space(), va, size, rights);
}
return (int64)va;`);
      });
      w.blank();
      w.comment(
        "brk(addr): move the end of the heap, which starts after the last segment;",
        "0 or an address out of bounds asks for the current end. Growing maps",
        "zeroed writable pages (counted like mmap), shrinking frees them.",
      );
      w.fn("static int64 do_brk(uint64 addr)", () => {
        w.line(`struct linux_state *lx = uproc_linux();
uint64 old_top = (lx->brk + PGSIZE - 1) & ~(PGSIZE - 1), new_top = (addr + PGSIZE - 1) & ~(PGSIZE - 1);
if (addr < lx->brk_start || addr > LINUX_MMAP_FLOOR)
    return (int64)lx->brk;
if (new_top > old_top && uproc_map_at(old_top, new_top - old_top, UVM_WRITE) != 0)
    return (int64)lx->brk;
if (new_top < old_top)
    uproc_munmap(new_top, old_top - new_top);
lx->brk = addr;
return (int64)addr;`);
      });
      w.blank();
      w.comment("Fill buf with len bytes from the TSC mixed through splitmix64 (for AT_RANDOM and getrandom).");
      w.fn("void linux_random(uint8 *buf, uint64 len)", () => {
        w.line(`static uint64 state;
for (uint64 i = 0; i < len; i++) {
    if ((i & 7) == 0) {
        state += 0x9e3779b97f4a7c15UL ^ arch_cycles();
        uint64 z = state;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
        z ^= z >> 31;
        for (uint64 k = 0; k < 8 && i + k < len; k++)
            buf[i + k] = (uint8)(z >> (8 * k));
    }
}`);
      });
      w.blank();
      w.comment("getrlimit is prlimit64 for the caller.");
      w.line("static int64 linux_prlimit64(uint64 a0, uint64 a1, uint64 a2, uint64 a3, uint64 a4, uint64 a5);");
      for (const s of linuxSyscalls) {
        const body = handlers[s.name]!;
        w.blank();
        w.fn(`static int64 linux_${s.name}(uint64 a0, uint64 a1, uint64 a2, uint64 a3, uint64 a4, uint64 a5)`, () => {
          const used = new Set(body.match(/\ba[0-5]\b/g) ?? []);
          w.line(...["a0", "a1", "a2", "a3", "a4", "a5"].filter((a) => !used.has(a)).map((a) => `(void)${a};`));
          w.line(body);
        });
      }
      w.blank();
      const max = Math.max(...linuxSyscalls.map((s) => s.nr), ...Object.keys(missingNames).map(Number)) + 1;
      const entries = (tier: TierName): TierEntry[] =>
        linuxSyscalls.filter((s) => tierOf.get(s.name) === tier).map((s) => ({ nr: s.nr, name: s.name, fn: `linux_${s.name}`, cap: s.cap === null ? "CAP_NONE" : capMacro(s.cap), args: argsRead(handlers[s.name]!) }));
      const args6 = (fn: string) => `${fn}(a0, a1, a2, a3, a4, a5)`;
      emitHotTable(w, "hot_linux", max, entries("hot"), args6);
      w.blank();
      w.comment("The warm tier, indexed by Linux syscall number, with the names of the hot, cold and common missing ones (for the ENOSYS line).");
      w.line(`#define LINUX_NSYSCALLS ${max}`);
      w.line("/* clang-format off */");
      w.line("static const struct { linux_fn fn; uint64 cap; const char *name; } linux_table[LINUX_NSYSCALLS] = {");
      w.indent(() => {
        const rows: { nr: number; cells: string[] }[] = [
          ...linuxSyscalls.map((s) => ({ nr: s.nr, cells: [`[${s.nr}]`, tierOf.get(s.name) === "warm" ? `= { linux_${s.name},` : "= { NULL,", `${s.cap === null ? "CAP_NONE" : capMacro(s.cap)},`, `"${s.name}" },`] })),
          ...Object.entries(missingNames).map(([nr, name]) => ({ nr: Number(nr), cells: [`[${nr}]`, "= { NULL,", "CAP_NONE,", `"${name}" },`] })),
        ].sort((a, b) => a.nr - b.nr);
        w.line(...alignColumns(rows.map((r) => r.cells)));
      });
      w.line("};", "/* clang-format on */");
      emitColdPath(w, "linux", entries("cold"), args6);
      w.blank();
      w.comment("Print the first -ENOSYS of each number per process: by name when the table knows it.");
      w.fn("static void linux_enosys(uint64 nr)", () => {
        w.line(`struct linux_state *lx = uproc_linux();
uint64 bit = nr < 512 ? nr : 511;
if (lx->enosys_seen[bit / 64] & (1UL << (bit % 64)))
    return;
lx->enosys_seen[bit / 64] |= 1UL << (bit % 64);
if (nr < LINUX_NSYSCALLS && linux_table[nr].name != NULL)
    kprintf("linux: %s (pid %u) unsupported syscall %s\\n", uproc_subject(), uproc_pid(), linux_table[nr].name);
else
    kprintf("linux: %s (pid %u) unsupported syscall %u\\n", uproc_subject(), uproc_pid(), (uint32)nr);`);
      });
      w.blank();
      w.comment("From syscall_dispatch for a Linux-ABI process (the warm and cold tiers), interrupts on. Returns the result or -errno.");
      w.fn("int64 linux_syscall(uint64 nr, uint64 a0, uint64 a1, uint64 a2, uint64 a3, uint64 a4, uint64 a5)", () => {
        w.line(`if (nr >= LINUX_NSYSCALLS || linux_table[nr].fn == NULL) { /* the cold tier, else missing */
    int64 r = linux_cold(nr, a0, a1, a2, a3, a4, a5);
    if (r == -ENOSYS)
        linux_enosys(nr);
    return r;
}
if (linux_table[nr].cap != CAP_NONE && (linux_table[nr].cap & ~uproc_caps()) != 0) {
    sandbox_deny(linux_table[nr].cap, "%s", linux_table[nr].name);
    return -EPERM;
}
return linux_table[nr].fn(a0, a1, a2, a3, a4, a5);`);
      });
    });
  },
};
