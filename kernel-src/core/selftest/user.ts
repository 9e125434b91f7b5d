// Self-tests of user processes (core/uproc.c, syscall.c) with the built-in
// program of arch/x86_64/initcode.S: exit, faults, preemption in user mode,
// capabilities, user memory, IPC between processes, syscalls in no tier.
// Each test is in the build only when the syscalls it needs are.
import { syscallNames } from "../../../schemas/kernel.ts";
import { capabilities } from "../../../schemas/sandbox.ts";
import { USER_MODES } from "../initcode-modes.ts";
import { c } from "../../writer.ts";
import { TIER_OPTIONS, type SelfTest, type SelfTestContext } from "./test.ts";

const exitedWithPid = c`
  if (status <= 0)
      return "the process did not exit with its pid";
`;

/** The built-in program exits with its pid, or with its status without getpid; without exit it faults at its end. */
function userProcess(built: ReadonlySet<string>): SelfTest {
  const started = c`
    int killed;
    int64 status = run_builtin("hello", CAP_ALL, ${USER_MODES.hello}, 0, &killed);
    if (status == NOT_STARTED)
        return "uproc_spawn failed";
  `;
  const ended = built.has("exit")
    ? c`
        if (killed)
            return "the process was killed";
        ${built.has("getpid") ? exitedWithPid : ""}
        detail_str("exited with ${built.has("getpid") ? "its pid " : "status "}");
        detail_num((uint64)status);
      `
    : c`
        if (!killed)
            return "without an exit syscall the program should fault at its end";
        detail_str("no exit syscall: killed at its end");
      `;
  return { name: "user_process", options: TIER_OPTIONS, body: `${started}\n${ended}` };
}

const userFault: SelfTest = {
  name: "user_fault",
  options: [],
  body: c`
    int killed;
    int64 status = run_builtin("fault", CAP_ALL, ${USER_MODES.fault}, 0, &killed);
    if (status == NOT_STARTED)
        return "uproc_spawn failed";
    if (!killed || status != -1)
        return "a process that read kernel memory was not killed";
    detail_str("killed; the kernel carries on");
  `,
};

const userPreempt: SelfTest = {
  name: "user_preempt",
  options: TIER_OPTIONS,
  body: c`
    int killed;
    uint64 start = ticks;
    struct uproc *spinner = uproc_spawn("spin-long", CAP_ALL, ${USER_MODES.spin}, 20000000);
    struct uproc *quick = uproc_spawn("spin-short", CAP_ALL, ${USER_MODES.spin}, 0);
    if (spinner == NULL || quick == NULL)
        return "uproc_spawn failed";
    /* The spinner never enters the kernel: quick can only run if the timer preempts it. */
    if (uproc_wait(quick, &killed) != 0 || killed)
        return "the short process did not exit cleanly";
    int overtaken = uproc_alive(spinner);
    if (uproc_wait(spinner, &killed) != 0 || killed)
        return "the spinning process did not exit cleanly";
    if (!overtaken)
        return "a process spinning in user mode was never preempted";
    detail_str("preempted in user mode; ticks ");
    detail_num(ticks - start);
  `,
};

const syscallEperm: SelfTest = {
  name: "syscall_eperm",
  options: TIER_OPTIONS,
  body: c`
    int killed;
    int64 status = run_builtin("no-caps", 0, ${USER_MODES.syscall}, SYS_write, &killed);
    if (status == NOT_STARTED)
        return "uproc_spawn failed";
    if (killed || status != -1)
        return "write without the console capability did not return -EPERM";
    detail_str("write without console: -EPERM");
  `,
};

const userMemory: SelfTest = {
  name: "user_memory",
  options: TIER_OPTIONS,
  body: c`
    int killed;
    int64 status = run_builtin("mmap", CAP_ALL, ${USER_MODES.memory}, 0, &killed);
    if (status == NOT_STARTED)
        return "uproc_spawn failed";
    if (killed || status != 85)
        return "mmap'd pages did not hold what was written";
    if (run_builtin("munmap", CAP_ALL, ${USER_MODES.memory}, 1, &killed) == NOT_STARTED || !killed)
        return "a page was still mapped after munmap";
    detail_str("mmap 8 KiB, write, munmap, fault after");
  `,
};

const syscallEfault: SelfTest = {
  name: "syscall_efault",
  options: TIER_OPTIONS,
  body: c`
    int killed;
    int64 status = run_builtin("badptr", CAP_ALL, ${USER_MODES.badptr}, 0, &killed);
    if (status == NOT_STARTED)
        return "uproc_spawn failed";
    if (killed || status != -14)
        return "write from an unmapped user address did not return -EFAULT";
    detail_str("unmapped buffer: -EFAULT");
  `,
};

const userIpc: SelfTest = {
  name: "user_ipc",
  options: ["kernel.ipc.enable", ...TIER_OPTIONS],
  declarations: [`#define CAP_IPC_BIT (1UL << ${capabilities.indexOf("ipc")}) /* the ipc capability */`],
  body: c`
    int killed_r, killed_s;
    struct uproc *r = uproc_spawn("recv", CAP_ALL, ${USER_MODES.recv}, 3); /* waits on the empty channel first */
    struct uproc *s = uproc_spawn("send", CAP_ALL, ${USER_MODES.send}, 3);
    if (r == NULL || s == NULL)
        return "uproc_spawn failed";
    int64 sent = uproc_wait(s, &killed_s), got = uproc_wait(r, &killed_r);
    if (killed_s || killed_r || sent <= 0 || got != sent)
        return "a message between two processes was lost or changed";
    struct uproc *n = uproc_spawn("no-ipc", CAP_ALL & ~CAP_IPC_BIT, ${USER_MODES.send}, 3);
    if (n == NULL || uproc_wait(n, &killed_s) != -1)
        return "ipc_send without the ipc capability did not return -EPERM";
    detail_str("bytes ");
    detail_num((uint64)got);
    detail_str(" over channel 3; without the capability -EPERM");
  `,
};

const getpidAnswers = c`
  if (try_syscall(SYS_getpid) <= 0)
      return "getpid, in a tier, did not answer";
`;

/** Every POSIX-X syscall in no tier (and an unknown number) is -ENOSYS; getpid, if in one, answers; the null syscall returns 0. */
function syscallTiers({ kernel: k, built }: SelfTestContext): SelfTest {
  // ipc_send and ipc_recv do not exist at all without IPC (features.ts), so they are not tested as absent either.
  const absent = syscallNames.filter((n) => !built.has(n) && (k.ipc.enable || !n.startsWith("ipc_")));
  return {
    name: "syscall_tiers",
    options: TIER_OPTIONS,
    helpers: c`
      /* Syscall number nr from a process with every capability: its result. */
      static int64 try_syscall(uint64 nr)
      {
          int killed;
          int64 r = run_builtin("sys", CAP_ALL, ${USER_MODES.syscall}, nr, &killed);
          return killed ? -1001 : r;
      }
    `,
    body: c`
      static const struct {
          const char *name;
          uint64 nr;
      } absent[] = {
          ${absent.map((n) => `{ "${n}", ${syscallNames.indexOf(n)} },`)}
          { "unknown", 9999 },
      };
      for (uint32 i = 0; i < sizeof absent / sizeof absent[0]; i++) {
          if (try_syscall(absent[i].nr) != -38)
              return "a syscall in no tier did not return -ENOSYS";
          if (i > 0)
              detail_str(" ");
          detail_str(absent[i].name);
      }
      ${built.has("getpid") ? getpidAnswers : ""}
      if (try_syscall(SYS_null) != 0) /* the null syscall: every build, hot where the port has a way for it */
          return "the null syscall did not return 0";
      detail_str(": -ENOSYS; null: 0");
    `,
  };
}

/** The user-process tests whose syscalls the tiers build, in the order they run. */
export function userTests(ctx: SelfTestContext): SelfTest[] {
  const has = (...names: string[]): boolean => names.every((n) => ctx.built.has(n));
  return [
    userProcess(ctx.built),
    userFault,
    ...(has("exit") ? [userPreempt] : []),
    ...(has("write", "exit") ? [syscallEperm] : []),
    ...(has("mmap", "munmap", "exit") ? [userMemory] : []),
    ...(has("write", "exit") ? [syscallEfault] : []),
    ...(has("ipc_send", "ipc_recv", "exit") ? [userIpc] : []),
    ...(has("exit") ? [syscallTiers(ctx)] : []),
  ];
}
