// The error numbers syscalls return (negated), shared by the kernel's syscall
// table and the user programs' header so both sides agree. Linux's values.
export const ERRNO = {
  EPERM: 1, ENOENT: 2, ESRCH: 3, EINTR: 4, E2BIG: 7, ENOEXEC: 8, EBADF: 9, ECHILD: 10, EAGAIN: 11, ENOMEM: 12, EACCES: 13, EFAULT: 14,
  EBUSY: 16, EEXIST: 17, EXDEV: 18, ENODEV: 19, ENOTDIR: 20, EISDIR: 21, EINVAL: 22, ENFILE: 23, EMFILE: 24, ENOTTY: 25, EFBIG: 27,
  ENOSPC: 28, ESPIPE: 29, EROFS: 30, EPIPE: 32, ERANGE: 34, ENAMETOOLONG: 36, ENOSYS: 38, ENOTEMPTY: 39, ELOOP: 40,
} as const;

/** `#define E... n` lines, one per error number, in numeric order. */
export function errnoDefines(): string[] {
  return Object.entries(ERRNO).map(([name, n]) => `#define ${name} ${n}`);
}

/** The exit status `wait` reports for a process that was killed: 128 + SIGKILL, as shells show it. */
export const KILLED_STATUS = 137;
/** What wait reports for a process a fault ended (128 + SIGSEGV): a crash is no stop its parent asked for. */
export const FAULTED_STATUS = 139;
