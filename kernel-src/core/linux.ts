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

const source = "core/linux.ts";

/** The Linux syscalls implemented: number, name, the capability the table checks first (null: none, or the handler checks). */
export const linuxSyscalls: readonly { nr: number; name: string; cap: Capability | null }[] = [
  { nr: 0, name: "read", cap: "fs.read" },
  { nr: 1, name: "write", cap: null },
  { nr: 2, name: "open", cap: null },
  { nr: 3, name: "close", cap: null },
  { nr: 5, name: "fstat", cap: "fs.read" },
  { nr: 8, name: "lseek", cap: "fs.read" },
  { nr: 9, name: "mmap", cap: "memory.map" },
  { nr: 10, name: "mprotect", cap: "memory.map" },
  { nr: 11, name: "munmap", cap: "memory.map" },
  { nr: 12, name: "brk", cap: "memory.map" },
  { nr: 13, name: "rt_sigaction", cap: null },
  { nr: 14, name: "rt_sigprocmask", cap: null },
  { nr: 16, name: "ioctl", cap: null },
  { nr: 19, name: "readv", cap: "fs.read" },
  { nr: 20, name: "writev", cap: null },
  { nr: 22, name: "pipe", cap: null },
  { nr: 32, name: "dup", cap: null },
  { nr: 33, name: "dup2", cap: null },
  { nr: 35, name: "nanosleep", cap: "time" },
  { nr: 39, name: "getpid", cap: null },
  { nr: 60, name: "exit", cap: null },
  { nr: 63, name: "uname", cap: null },
  { nr: 72, name: "fcntl", cap: null },
  { nr: 89, name: "readlink", cap: "fs.read" },
  { nr: 158, name: "arch_prctl", cap: null },
  { nr: 217, name: "getdents64", cap: "fs.read" },
  { nr: 218, name: "set_tid_address", cap: null },
  { nr: 228, name: "clock_gettime", cap: "time" },
  { nr: 231, name: "exit_group", cap: null },
  { nr: 257, name: "openat", cap: null },
  { nr: 262, name: "newfstatat", cap: "fs.read" },
  { nr: 267, name: "readlinkat", cap: "fs.read" },
  { nr: 292, name: "dup3", cap: null },
  { nr: 293, name: "pipe2", cap: null },
  { nr: 318, name: "getrandom", cap: null },
];

/** Names of common Linux syscalls not implemented, so that the ENOSYS line names them. */
const missingNames: Record<number, string> = {
  4: "stat", 6: "lstat", 7: "poll", 15: "rt_sigreturn", 17: "pread64", 18: "pwrite64", 21: "access",
  23: "select", 24: "sched_yield", 25: "mremap", 28: "madvise", 34: "pause", 37: "alarm",
  41: "socket", 42: "connect", 56: "clone", 57: "fork", 58: "vfork", 59: "execve", 61: "wait4", 62: "kill", 74: "fsync", 77: "ftruncate", 78: "getdents", 79: "getcwd", 80: "chdir", 82: "rename", 83: "mkdir", 84: "rmdir", 87: "unlink",
  95: "umask", 96: "gettimeofday", 97: "getrlimit", 99: "sysinfo", 102: "getuid", 104: "getgid", 107: "geteuid",
  108: "getegid", 109: "setpgid", 110: "getppid", 111: "getpgrp", 112: "setsid", 131: "sigaltstack", 137: "statfs",
  157: "prctl", 186: "gettid", 200: "tkill", 201: "time", 202: "futex", 204: "sched_getaffinity",
  230: "clock_nanosleep", 234: "tgkill", 235: "utimes", 247: "waitid", 269: "faccessat", 270: "pselect6", 271: "ppoll",
  273: "set_robust_list", 280: "utimensat", 302: "prlimit64", 332: "statx", 334: "rseq",
  435: "clone3", 439: "faccessat2",
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
  nanosleep: `/* struct timespec { int64 sec, nsec; } at a0: the CPU yielded until the TSC passes it; the time left is never written, no signal interrupting. */
if (!uvm_check(a0, 16, 0))
    return -EFAULT;
const int64 *ts = (const int64 *)a0;
if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000)
    return -EINVAL;
uint64 us = (uint64)ts[0] * 1000000 + (uint64)ts[1] / 1000;
uint64 until = rdtsc() + us * tsc_per_us;
while (rdtsc() < until)
    yield();
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
if ((a0 & 0xfff) != 0 || uvm_protect(uproc_pml4(), a0, (a1 + 4095) & ~0xfffUL, prot) < 0)
    return -EINVAL;
return 0;`,
  munmap: `if ((a0 & 0xfff) != 0 || a1 == 0)
    return -EINVAL;
return uproc_munmap(a0, (a1 + 4095) & ~0xfffUL);`,
  brk: "return do_brk(a0);",
  rt_sigaction: `/* Recorded, not delivered yet. a0: the signal, a1: the new action, a2: where the old one goes. */
struct linux_state *lx = uproc_linux();
if (a0 < 1 || a0 > 64 || (a1 != 0 && (a0 == 9 || a0 == 19))) /* SIGKILL and SIGSTOP keep their action */
    return -EINVAL;
if ((a1 != 0 && !uvm_check(a1, sizeof(struct linux_sigaction), 0)) || (a2 != 0 && !uvm_check(a2, sizeof(struct linux_sigaction), 1)))
    return -EFAULT;
struct linux_sigaction old = lx->act[a0 - 1];
if (a1 != 0)
    memcpy(&lx->act[a0 - 1], (const void *)a1, sizeof old);
if (a2 != 0)
    memcpy((void *)a2, &old, sizeof old);
return 0;`,
  rt_sigprocmask: `/* Recorded, not applied yet: no signal is delivered. a0: how, a1: the set, a2: where the old mask goes. */
struct linux_state *lx = uproc_linux();
uint64 old = lx->sigmask, set = 0;
if ((a1 != 0 && !uvm_check(a1, 8, 0)) || (a2 != 0 && !uvm_check(a2, 8, 1)))
    return -EFAULT;
if (a1 != 0) {
    set = *(const uint64 *)a1;
    if (a0 == 0)
        lx->sigmask |= set; /* SIG_BLOCK */
    else if (a0 == 1)
        lx->sigmask &= ~set; /* SIG_UNBLOCK */
    else if (a0 == 2)
        lx->sigmask = set; /* SIG_SETMASK */
    else
        return -EINVAL;
}
if (a2 != 0)
    *(uint64 *)a2 = old;
return 0;`,
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
  getpid: "return uproc_pid();",
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
    if (a1 >= USER_LIMIT) /* a non-canonical base would fault in the kernel's WRMSR */
        return -EPERM;
    thread_set_fs(a1);
    return 0;
}
if (a0 == 0x1003) {
    if (!uvm_check(a1, 8, 1))
        return -EFAULT;
    *(uint64 *)a1 = curthread->fs_base;
    return 0;
}
return -EINVAL;`,
  set_tid_address: "/* No threads yet: the tid is the pid, and nothing is cleared at exit. */\nreturn uproc_pid();",
  clock_gettime: `/* struct timespec { int64 sec, nsec; } at a1, from the calibrated TSC (every clock counts from boot). */
if (!uvm_check(a1, 16, 1))
    return -EFAULT;
uint64 *ts = (uint64 *)a1, ns = rdtsc() / tsc_per_us * 1000;
ts[0] = ns / 1000000000;
ts[1] = ns % 1000000000;
return 0;`,
  getdents64: "return file_getdents64(a0, a1, a2);",
  readlink: "return file_readlink(a0, a1, a2);",
  readlinkat: `/* Like openat: AT_FDCWD (-100) or an absolute path. */
char first;
if ((int64)a0 != -100 && (!uvm_check(a1, 1, 0) || ((first = *(const char *)a1), first != '/')))
    return fd_file(a0) != NULL ? -ENOTDIR : -EBADF;
return file_readlink(a1, a2, a3);`,
  openat: `/* Paths from the root, which is also the working directory: only AT_FDCWD (-100) or an absolute path. */
char first;
if ((int64)a0 != -100 && (!uvm_check(a1, 1, 0) || ((first = *(const char *)a1), first != '/')))
    return fd_file(a0) != NULL ? -ENOTDIR : -EBADF;
return file_open(a1, a2);`,
  newfstatat: `/* AT_EMPTY_PATH (0x1000) with "": fstat of a0; otherwise a path, from the root. */
if ((a3 & 0x1000) && uvm_check(a1, 1, 0) && *(const char *)a1 == 0)
    return do_fstat(a0, a2);
uint64 size;
int64 err = file_stat_path(a1, &size);
if (err != 0)
    return err;
return stat_fill(a2, size, 0100444);`,
  getrandom: `/* Bytes of the kernel's generator (the TSC mixed through splitmix64): enough for hash seeds and AT_RANDOM, not for keys. */
if (a1 > 65536)
    a1 = 65536;
if (!uvm_check(a0, a1, 1))
    return -EFAULT;
linux_random((uint8 *)a0, a1);
return (int64)a1;`,
};

export const linux: Template = {
  source,
  render() {
    const summary = "The Linux x86_64 syscall ABI for programs without the Exo note: Linux numbers and registers, each syscall behind its Exo capability, -ENOSYS (printed once per process by name) for the rest.";
    return emit({ source, path: "core/linux.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "cpu.h"', '#include "errno.h"', '#include "memlayout.h"', '#include "thread.h"', '#include "policy.h"', '#include "ufile.h"', '#include "defs.h"');
      w.blank();
      w.line("typedef int64 (*linux_fn)(uint64 a0, uint64 a1, uint64 a2, uint64 a3, uint64 a4, uint64 a5);");
      w.blank();
      w.comment("Fill the struct stat (144 bytes) at st_va: st_nlink 1, mode, size, blksize 4096, blocks; times 0.");
      w.fn("static int64 stat_fill(uint64 st_va, uint64 size, uint32 mode)", () => {
        w.line(`if (!uvm_check(st_va, 144, 1))
    return -EFAULT;
uint8 *st = (uint8 *)st_va;
memset(st, 0, 144);
*(uint64 *)(st + 16) = 1;              /* st_nlink */
*(uint32 *)(st + 24) = mode;           /* st_mode */
*(uint64 *)(st + 48) = size;           /* st_size */
*(uint64 *)(st + 56) = 4096;           /* st_blksize */
*(uint64 *)(st + 64) = (size + 511) / 512; /* st_blocks */
return 0;`);
      });
      w.blank();
      w.comment("fstat: the console and /dev/null are character devices, a pipe end a FIFO, a file of the initrd a read-only regular file.");
      w.fn("static int64 do_fstat(uint64 fd, uint64 st_va)", () => {
        w.line(`struct ufile *f = fd_file(fd);
if (f == NULL)
    return -EBADF;
if (f->kind == UF_FILE)
    return stat_fill(st_va, f->size, 0100444);
if (f->kind == UF_PIPE_READ || f->kind == UF_PIPE_WRITE)
    return stat_fill(st_va, 0, 0010600);
int64 err = stat_fill(st_va, 0, 0020666);
if (err == 0) /* st_rdev: /dev/console (5, 1) or /dev/null (1, 3) */
    *(uint64 *)((uint8 *)st_va + 40) = f->kind == UF_CONSOLE ? (5 << 8) | 1 : (1 << 8) | 3;
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
uint64 size = (len + 4095) & ~0xfffUL, va;
struct ufile *f = NULL;
if (rights < 0)
    return -EACCES;
if (len == 0 || size < len || (off & 0xfff) != 0 || (flags & 3) != 2) /* MAP_PRIVATE only */
    return -EINVAL;
if ((flags & 0x20) == 0 && ((f = fd_file(fd)) == NULL || f->kind != UF_FILE)) /* not MAP_ANONYMOUS: a file of the initrd */
    return f != NULL ? -ENODEV : -EBADF;
if (flags & 0x10) { /* MAP_FIXED */
    if ((addr & 0xfff) != 0 || addr < USER_MIN || addr >= LINUX_MMAP_TOP || size > LINUX_MMAP_TOP - addr)
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
    uvm_write(uproc_pml4(), va, f->data + off, n < len ? n : len);
    if (rights != UVM_WRITE)
        uvm_protect(uproc_pml4(), va, size, rights);
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
uint64 old_top = (lx->brk + 4095) & ~0xfffUL, new_top = (addr + 4095) & ~0xfffUL;
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
        state += 0x9e3779b97f4a7c15UL ^ rdtsc();
        uint64 z = state;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
        z ^= z >> 31;
        for (uint64 k = 0; k < 8 && i + k < len; k++)
            buf[i + k] = (uint8)(z >> (8 * k));
    }
}`);
      });
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
      w.comment("Indexed by Linux syscall number: the implemented ones with their capability, and the names of common missing ones.");
      w.line(`#define LINUX_NSYSCALLS ${max}`);
      w.line("static const struct { linux_fn fn; uint64 cap; const char *name; } linux_table[LINUX_NSYSCALLS] = {");
      w.indent(() => {
        const rows: { nr: number; cells: string[] }[] = [
          ...linuxSyscalls.map((s) => ({ nr: s.nr, cells: [`[${s.nr}]`, `= { linux_${s.name},`, `${s.cap === null ? "CAP_NONE" : capMacro(s.cap)},`, `"${s.name}" },`] })),
          ...Object.entries(missingNames).map(([nr, name]) => ({ nr: Number(nr), cells: [`[${nr}]`, "= { NULL,", "CAP_NONE,", `"${name}" },`] })),
        ].sort((a, b) => a.nr - b.nr);
        w.line(...alignColumns(rows.map((r) => r.cells)));
      });
      w.line("};");
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
      w.comment("From syscall_dispatch for a Linux-ABI process, interrupts on. Returns the result or -errno.");
      w.fn("int64 linux_syscall(uint64 nr, uint64 a0, uint64 a1, uint64 a2, uint64 a3, uint64 a4, uint64 a5)", () => {
        w.line(`if (nr >= LINUX_NSYSCALLS || linux_table[nr].fn == NULL) {
    linux_enosys(nr);
    return -ENOSYS;
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
