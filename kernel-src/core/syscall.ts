// core/syscall.c: the POSIX-X syscall table, generated from the tiers in
// kernel.syscalls.{hot,warm,cold}. A syscall in no tier has no entry and no
// handler (ENOSYS); one in a tier needs its capability (sandbox policies,
// schemas/sandbox.ts) or returns EPERM.
import type { KernelTemplateInput } from "../input.ts";
import { syscallTiers, type TierName } from "../features.ts";
import type { Capability } from "../../schemas/sandbox.ts";
import type { SyscallName } from "../../schemas/kernel.ts";
import { emit, type Template } from "../template.ts";
import { alignColumns } from "../writer.ts";
import { argsRead, emitColdPath, emitHotTable, type TierEntry } from "./tiers.ts";
import { capMacro } from "./policy.ts";

const source = "core/syscall.ts";

/** The capability the table checks before each syscall; null for those every process may make (or whose handler checks). */
export const syscallCapability: Record<SyscallName, Capability | null> = {
  read: "fs.read", write: "console", getpid: null, clock_gettime: "time", exit: null, yield: null,
  ipc_send: "ipc", ipc_recv: "ipc", mmap: "memory.map", munmap: "memory.map", open: null, close: null,
  fstat: "fs.read", lseek: "fs.read", nanosleep: "time", spawn: "spawn", wait: "spawn", kill: "signal",
};

/** Capabilities a handler checks itself, by its arguments: open needs fs.read to read and fs.write to write (core/sandbox.c). */
export const handlerCapabilities: Partial<Record<SyscallName, readonly Capability[]>> = { open: ["fs.read", "fs.write"] };

/** Each syscall's handler body; a0..a3 are its arguments. */
const handlers: Record<SyscallName, string> = {
  read: "return file_read(a0, a1, a2);",
  write: `/* fd 1 and 2 are the console. */
const char *buf = (const char *)a1;
if (a0 != 1 && a0 != 2)
    return -EBADF;
if (!uvm_check(a1, a2, 0))
    return -EFAULT;
preempt_off(); /* one write is one piece of the console: lines of two processes do not interleave */
for (uint64 i = 0; i < a2; i++)
    arch_console_putc(buf[i]);
preempt_on();
return (int64)a2;`,
  getpid: "return ((struct uproc *)curthread->proc)->pid; /* uproc_pid(), inline: a hot0 entry calls nothing */",
  clock_gettime: `/* struct timespec { int64 sec, nsec; } at a1, from the calibrated TSC. */
uint64 *ts = (uint64 *)a1;
uint64 ns = arch_cycles() / cycles_per_us * 1000;
(void)a0;
if (!uvm_check(a1, 16, 1))
    return -EFAULT;
ts[0] = ns / 1000000000;
ts[1] = ns % 1000000000;
return 0;`,
  exit: "uproc_exit((int64)a0);\nreturn 0;",
  yield: "yield();\nreturn 0;",
  mmap: `/* Anonymous memory only: a1 bytes of zeroed, writable pages anywhere in the window (a0, the hint, is ignored), within the policy's memoryPages. */
(void)a0;
return uproc_mmap(a1);`,
  munmap: `/* Unmap [a0, a0 + a1) and free its pages. */
return uproc_munmap(a0, a1);`,
  ipc_send: `/* Send len a2 bytes at a1 on channel a0: inline up to 56 bytes, through shared pages above. Waits while the ring is full. */
struct ipc_msg m;
if (a0 >= IPC_CHANNELS)
    return -EINVAL;
if (sandbox_ipc(&channel_users[a0], a0) != 0) /* a package shares channels only with the packages it lists */
    return -EPERM;
struct ipc_ring *r = channel(a0);
if (r == NULL)
    return -ENOMEM;
if (a2 > IPC_MAX_BYTES)
    return -EINVAL;
if (!uvm_check(a1, a2, 0))
    return -EFAULT;
if (ipc_msg_make(&m, 0, (const void *)a1, a2) != 0)
    return -ENOMEM;
ring_push(r, &m);
return (int64)a2;`,
  ipc_recv: `/* Receive the next message of channel a0 into a1 (room for a2 bytes); returns its full length. Waits while the ring is empty. */
struct ipc_msg m;
uint64 len;
if (a0 >= IPC_CHANNELS)
    return -EINVAL;
if (sandbox_ipc(&channel_users[a0], a0) != 0)
    return -EPERM;
struct ipc_ring *r = channel(a0);
if (r == NULL)
    return -ENOMEM;
if (!uvm_check(a1, a2, 1))
    return -EFAULT;
ring_pop(r, &m);
const void *data = ipc_msg_data(&m, &len);
memcpy((void *)a1, data, len < a2 ? len : a2);
ipc_msg_release(&m);
return (int64)len;`,
  open: "return file_open(a0, a1);",
  close: "return file_close(a0);",
  fstat: "return file_fstat(a0, a1);",
  lseek: "return file_lseek(a0, (int64)a1, a2);",
  spawn: "return uproc_sys_spawn(a0, a1, a2);",
  wait: "return uproc_sys_wait(a0, a1);",
  kill: "return uproc_sys_kill(a0);",
  nanosleep: `/* Sleep a0 nanoseconds, yielding the CPU meanwhile. */
uint64 until = arch_cycles() + a0 / 1000 * cycles_per_us;
while (arch_cycles() < until)
    yield();
return 0;`,
};

export const syscall: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    const tiers = syscallTiers(k);
    const all = tiers.flatMap((t) => t.syscalls.map((s) => ({ ...s, tier: t.tier })));
    const options = [...(k.ipc.enable ? ["kernel.ipc.enable"] : []), ...tiers.map((t) => t.option)];
    const summary = "The syscall table from the POSIX-X tiers, each entry with the capability it needs, and syscall_dispatch.";
    return emit({ source, path: "core/syscall.c", summary, options }, (w) => {
      w.line('#include "types.h"', '#include "arch.h"', '#include "errno.h"', '#include "sysnum.h"', '#include "thread.h"', '#include "policy.h"', '#include "frame.h"', '#include "process.h"');
      if (k.ipc.enable) w.line('#include "ring.h"');
      w.line('#include "defs.h"');
      w.blank();
      w.line("typedef int64 (*sysfn)(uint64 a0, uint64 a1, uint64 a2, uint64 a3);");
      if (all.some((x) => x.name === "ipc_send" || x.name === "ipc_recv")) {
        w.blank();
        w.comment("Channels: kernel-wide Fusion Rings that processes name by number, made on first use.");
        w.line("#define IPC_CHANNELS 8", "#define IPC_MAX_BYTES 65536", "static struct ipc_ring *channels[IPC_CHANNELS];");
        w.line("static uint64 channel_users[IPC_CHANNELS]; /* the package policies (bits) that used each channel (core/sandbox.c) */");
        w.blank();
        w.fn("static struct ipc_ring *channel(uint64 n)", () => {
          w.line("if (n >= IPC_CHANNELS)").indent(() => w.line("return NULL;"));
          w.comment("Two processes may make the same channel at once: the first to publish wins, the other's ring goes back.");
          w.line("struct ipc_ring *r = __atomic_load_n(&channels[n], __ATOMIC_ACQUIRE), *none = NULL;");
          w.line("if (r != NULL || (r = ring_create()) == NULL)").indent(() => w.line("return r;"));
          w.line("if (!__atomic_compare_exchange_n(&channels[n], &none, r, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {").indent(() => w.line("ring_destroy(r);", "r = none;"));
          w.line("}", "return r;");
        });
      }
      w.line("static uint64 first_syscall_cycles;");
      w.comment(
        "Whether the running thread may have work on its way back to user mode (its",
        "struct thread's work, copied here at each switch): a kill, a signal, or its",
        "first syscall. While it is set, the hot paths leave the slow way",
        "(syscall_exit_work), which looks and clears it; the ports' hot exits read",
        "only this word.",
      );
      w.line("uint32 syscall_work = 1;");
      for (const s of all) {
        const body = handlers[s.name];
        w.blank();
        w.fn(`static int64 sys_${s.name}(uint64 a0, uint64 a1, uint64 a2, uint64 a3)`, () => {
          const used = new Set(body.match(/\ba[0-3]\b/g) ?? []);
          w.line(...["a0", "a1", "a2", "a3"].filter((a) => !used.has(a)).map((a) => `(void)${a};`));
          w.line(body);
        });
      }
      const max = Math.max(0, ...all.map((s) => s.number + 1));
      const entries = (tier: TierName): TierEntry[] =>
        all.filter((s) => s.tier === tier).map((s) => {
          const cap = syscallCapability[s.name];
          return { nr: s.number, nrName: `SYS_${s.name}`, name: s.name, fn: `sys_${s.name}`, cap: cap === null ? "CAP_NONE" : capMacro(cap), args: argsRead(handlers[s.name]) };
        });
      const args4 = (fn: string) => `${fn}(a0, a1, a2, a3)`;
      w.line(`#define NSYSCALLS ${max}`);
      emitHotTable(w, "hot_exo", max, entries("hot"), args4);
      w.blank();
      w.comment("The warm tier (kernel.syscalls.warm), indexed by syscall number (sysnum.h).");
      w.table(() => {
        w.line("static const struct { sysfn fn; uint64 cap; const char *name; } syscalls[NSYSCALLS] = {");
        w.indent(() => w.line(...alignColumns(entries("warm").map((e) => [`[SYS_${e.name}]`, `= { ${e.fn},`, `${e.cap},`, `"${e.name}" },`]))));
        w.line("};");
      });
      emitColdPath(w, "exo", entries("cold"), args4);
      w.blank();
      w.comment(
        "The warm and cold tiers, from entry.S's syscall_warm on the thread's",
        "kernel stack, interrupts off: a0..a5 are the user's six argument",
        "registers, nr its number register. A process without the Exo note takes Linux's tables",
        "(core/linux.c). The result (or -errno) goes into the frame, which",
        "syscall_return restores; a kill or a signal is acted on first.",
      );
      w.fn("int64 syscall_dispatch(uint64 a0, uint64 a1, uint64 a2, uint64 a3, uint64 nr, uint64 a4, uint64 a5)", () => {
        w.line(`int64 r;
if (first_syscall_cycles == 0)
    first_syscall_cycles = arch_cycles();
arch_intr_on();
if (uproc_linux())
    r = linux_syscall(nr, a0, a1, a2, a3, a4, a5);
else if (nr == SYS_null) /* the ports without a hot way for it */
    r = 0;
else if (nr >= NSYSCALLS || syscalls[nr].fn == NULL)
    r = exo_cold(nr, a0, a1, a2, a3, a4, a5);
else if (syscalls[nr].cap != CAP_NONE && (syscalls[nr].cap & ~uproc_caps()) != 0) { /* no lookup for syscalls anyone may make */
    sandbox_deny(syscalls[nr].cap, "%s", syscalls[nr].name);
    r = -EPERM;
} else
    r = syscalls[nr].fn(a0, a1, a2, a3);
struct trapframe *tf = user_frame();
frame_set_return(tf, (uint64)r); /* syscall_return restores every register from the frame */
syscall_exit_work(tf);
arch_intr_off();
return r;`);
      });
      w.blank();
      w.comment("After a hot syscall (interrupts off): whether a kill or a signal waits, which needs the full frame (entry.S's hot_slow).");
      w.fn("int syscall_hot_exit(void)", () => w.line("return syscall_work != 0;"));
      w.blank();
      w.comment("t may have work on its way out (a kill or a signal sent to it): its next syscall leaves the slow way.");
      w.fn("void syscall_work_set(struct thread *t)", () => {
        w.line("t->work = 1;", "if (t == curthread)").indent(() => w.line("syscall_work = 1;"));
      });
      w.blank();
      w.comment("On the way back to user mode with a full frame: a killed process dies here, a pending signal is delivered; then whether work remains.");
      w.fn("void syscall_exit_work(struct trapframe *tf)", () => {
        w.line(`struct thread *t = curthread;
arch_intr_on();
uproc_checkpoint();
signal_deliver(tf);
arch_intr_off();
if (t->work) { /* a kill, a signal or the first syscall was said to wait: look again */
    struct uproc *p = t->proc;
    if (first_syscall_cycles == 0)
        first_syscall_cycles = arch_cycles();
    t->work = t->kill_pending || (p != NULL && p->sig_pending != 0); /* a blocked signal stays pending, and so does the slow way */
    syscall_work = t->work;
}`);
      });
      w.blank();
      w.comment("The TSC when the first process made its first syscall (for boot_to_user).");
      w.fn("uint64 syscall_first_cycles(void)", () => w.line("return first_syscall_cycles;"));
    });
  },
};
