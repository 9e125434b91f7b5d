// user/include/exo.h: what a user program sees of the kernel: fixed-width
// types, the POSIX-X syscall numbers, error numbers, and one inline wrapper
// per syscall. Numbers are places in the fixed POSIX-X list, so the header
// does not depend on which tiers a system builds in: a syscall left out of
// the tiers answers -ENOSYS at run time, and the programs build once.
import { syscallNames } from "../../schemas/kernel.ts";
import { MAX_NAME, nameMaxDefine } from "../../schemas/limits.ts";
import { errnoDefines, FAULTED_STATUS, KILLED_STATUS } from "../errno.ts";
import { POLICY_MAX, policyMaxDefine } from "../core/policy.ts";
import { portOf } from "../ports.ts";
import { emit, type FixedTemplate } from "../template.ts";
import { alignColumns, functionLines } from "../writer.ts";

const source = "user/header.ts";

/** The C signature of each syscall's wrapper; its arguments go to the port's first three argument registers in order. */
const wrappers: Record<(typeof syscallNames)[number], string> = {
  read: "int64 read(int64 fd, void *buf, uint64 len)",
  write: "int64 write(int64 fd, const void *buf, uint64 len)",
  getpid: "int64 getpid(void)",
  clock_gettime: "int64 clock_gettime(int64 clock, struct timespec *ts)",
  exit: "int64 exit(int64 status)",
  yield: "int64 yield(void)",
  ipc_send: "int64 ipc_send(uint64 channel, const void *buf, uint64 len)",
  ipc_recv: "int64 ipc_recv(uint64 channel, void *buf, uint64 room)",
  mmap: "int64 mmap(uint64 hint, uint64 len)",
  munmap: "int64 munmap(uint64 addr, uint64 len)",
  open: "int64 open(const char *path, uint64 flags)",
  close: "int64 close(int64 fd)",
  fstat: "int64 fstat(int64 fd, struct stat *st)",
  lseek: "int64 lseek(int64 fd, int64 offset, uint64 whence)",
  nanosleep: "int64 nanosleep(uint64 ns)",
  spawn: "int64 spawn(const char *path, const char *policy, uint64 arg)",
  wait: "int64 wait(int64 pid, int64 *status)",
  kill: "int64 kill(int64 pid)",
};

/** The parameter names of a wrapper's signature, in order. */
function params(signature: string): string[] {
  const list = signature.slice(signature.indexOf("(") + 1, -1);
  return list === "void" ? [] : list.split(",").map((p) => p.trim().split(/[\s*]+/).at(-1)!);
}

export const header: FixedTemplate = {
  source,
  render(arch) {
    const abi = portOf(arch).user;
    const summary = "The user programs' view of the kernel: types, POSIX-X syscall numbers and wrappers, error numbers, the file and stat ABI.";
    return emit({ source, path: "include/exo.h", summary, options: [] }, (w) => {
      w.line("#pragma once");
      w.blank();
      w.line(
        "typedef unsigned char uint8;",
        "typedef unsigned int uint32;",
        "typedef unsigned long uint64;",
        "typedef long int64;",
        "#define NULL ((void *)0)",
      );
      w.blank();
      w.comment("POSIX-X syscall numbers (schemas/kernel.ts): the same whatever the tiers.");
      w.line(...alignColumns(syscallNames.map((name, i) => ["#define", `SYS_${name}`, String(i)])));
      w.blank();
      w.comment("Errors, returned negated.");
      w.line(...alignColumns(errnoDefines().map((l) => l.split(" "))));
      w.blank();
      w.comment(`Longest package or sandbox policy name (schemas/limits.ts MAX_NAME = ${MAX_NAME}): a field holding one is EXO_NAME_MAX + 1 bytes.`);
      w.line(nameMaxDefine);
      w.comment(`Longest policy name spawn takes (${POLICY_MAX}), a package's "<name>@<version>": a field holding one is EXO_POLICY_MAX + 1 bytes.`);
      w.line(policyMaxDefine);
      w.blank();
      w.comment("open flags: the initrd is read-only, so an open for writing the sandbox allows is -EROFS; lseek's whence.");
      w.line(
        ...alignColumns([
          ["#define", "O_RDONLY", "0"],
          ["#define", "O_WRONLY", "1"],
          ["#define", "O_RDWR", "2"],
          ["#define", "O_CREAT", "0100"],
          ["#define", "SEEK_SET", "0"],
          ["#define", "SEEK_CUR", "1"],
          ["#define", "SEEK_END", "2"],
        ]),
      );
      w.comment("What wait reports for a process that was killed (128 + SIGKILL).");
      w.line(`#define STATUS_KILLED ${KILLED_STATUS}`);
      w.comment("What wait reports for a process a fault ended (128 + SIGSEGV).");
      w.line(`#define STATUS_FAULTED ${FAULTED_STATUS}`);
      w.blank();
      w.c`
        struct timespec {
            int64 sec, nsec;
        };
      `;
      w.comment("fstat's answer: the size in bytes and a POSIX st_mode (regular file or character device).");
      w.c`
        struct stat {
            uint64 size;
            uint64 mode;
        };
        #define S_IFREG 0100000
        #define S_IFCHR 0020000
      `;
      w.blank();
      w.comment(abi.syscallComment);
      w.line(...abi.syscall3.split("\n"));
      for (const name of syscallNames) {
        const sig = wrappers[name];
        const args = params(sig).map((p) => `(uint64)${p}`);
        while (args.length < 3) args.push("0");
        w.line(...functionLines(`static inline ${sig} { return syscall3(SYS_${name}, ${args.join(", ")}); }`));
      }
      w.blank();
      w.comment("lib/libexo.c: strings and formatted output to the console.");
      w.line(
        "uint64 strlen(const char *s);",
        "int strcmp(const char *a, const char *b);",
        "int memcmp(const void *a, const void *b, uint64 n);",
        "void *memcpy(void *dst, const void *src, uint64 n);",
        "void *memset(void *dst, int c, uint64 n);",
        "void printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));",
        "uint64 cycles(void); /* the port's free-running counter (x86_64: the TSC) */",
      );
    });
  },
};
