// Options of the `kernel` namespace: the features and tunables the kernel
// templates in kernel-src/ are generated from.
import { z } from "zod";
import { option } from "./option.ts";

const powerOfTwo = (min: number, max: number) =>
  z
    .number()
    .int()
    .min(min)
    .max(max)
    .refine((n) => (n & (n - 1)) === 0, { message: `a power of two from ${min} to ${max}` });

export const syscallNames = [
  "read", "write", "getpid", "clock_gettime", "exit", "yield", "ipc_send", "ipc_recv",
  "mmap", "munmap", "open", "close", "fstat", "lseek", "nanosleep", "spawn", "wait", "kill",
] as const;
export type SyscallName = (typeof syscallNames)[number];
const syscallList = z.array(z.enum(syscallNames));

export const kernelOptions = {
  ipc: {
    enable: option({
      type: z.boolean(),
      default: true,
      description: "Fusion Rings IPC: lock-free rings of 64-byte slots with inline payloads and zero-copy descriptors.",
      example: false,
    }),
    ringSlots: option({
      type: powerOfTwo(16, 65536),
      default: 4096,
      description: "Number of 64-byte slots in each Fusion Ring; a power of two so that indices wrap with a mask.",
      example: 1024,
    }),
    batchSize: option({
      type: z.number().int().min(1).max(256),
      default: 32,
      description: "Most messages a batched push writes before its single release fence.",
      example: 16,
    }),
    spinIterations: option({
      type: z.number().int().min(0).max(1_000_000),
      default: 1000,
      description: "Iterations a waiter spins on an empty or full ring before it yields the CPU. It spins only while no other thread is runnable; otherwise it yields at once.",
      example: 200,
    }),
  },
  scheduler: {
    policy: option({
      type: z.enum(["predictive", "round-robin"]),
      default: "predictive",
      description: "Thread scheduler: `predictive` keeps an EMA of run times and hot/normal/cold queues; `round-robin` one queue.",
      example: "round-robin",
    }),
    emaAlpha: option({
      type: z.number().gt(0).max(1),
      default: 0.3,
      description: "Weight of the newest run duration in the predictive scheduler's moving average.",
      example: 0.5,
    }),
    timesliceUs: option({
      type: z.number().int().min(100).max(100_000),
      default: 4000,
      description: "Longest a thread runs before the timer preempts it, in microseconds.",
      example: 2000,
    }),
    historyLength: option({
      type: z.number().int().min(1).max(64),
      default: 4,
      description: "Run durations a new thread's prediction averages plainly before the moving average (emaAlpha) takes over, so one odd first run does not decide its queue.",
      example: 8,
    }),
    hotThresholdUs: option({
      type: z.number().int().min(1).max(1_000_000),
      default: 200,
      description: "A thread whose predicted run duration is below this many microseconds is hot: it runs before normal and cold threads.",
      example: 100,
    }),
    normalThresholdUs: option({
      type: z.number().int().min(1).max(1_000_000),
      default: 2000,
      description: "A thread whose predicted run duration is below this many microseconds (and not hot) is normal; longer ones are cold and run last.",
      example: 4000,
    }),
  },
  allocator: {
    threadCacheObjects: option({
      type: z.number().int().min(0).max(1024),
      default: 64,
      description: "Objects each thread caches per size class in front of the per-CPU slab (0 turns the thread cache off).",
      example: 32,
    }),
  },
  memory: {
    isolation: option({
      type: z.enum(["auto", "mpk", "compat"]),
      default: "auto",
      description: "How the kernel isolates memory domains: `mpk` uses protection keys (PKU), `compat` page tables only; `auto` picks mpk when CPUID reports PKU, compat otherwise.",
      example: "compat",
    }),
  },
  contextSwitch: {
    lazyFpu: option({
      type: z.boolean(),
      default: true,
      description: "Save FPU/SSE state lazily, only for threads that use it (CR0.TS and #NM).",
      example: false,
    }),
  },
  syscalls: {
    hot: option({
      type: syscallList,
      default: ["read", "write", "getpid", "clock_gettime", "exit", "yield", "ipc_send", "ipc_recv", "mmap", "munmap"],
      description: "POSIX-X hot tier: syscalls dispatched first, through the shortest path.",
      example: ["read", "write", "getpid"],
    }),
    warm: option({
      type: syscallList,
      default: ["open", "close", "fstat", "lseek", "nanosleep"],
      description: "POSIX-X warm tier: common syscalls dispatched after the hot tier.",
      example: ["open", "close"],
    }),
    cold: option({
      type: syscallList,
      default: ["spawn", "wait", "kill"],
      description: "POSIX-X cold tier: rare syscalls, dispatched last.",
      example: ["kill"],
    }),
  },
  console: {
    baud: option({
      type: z.union([z.literal(9600), z.literal(38400), z.literal(115200)]),
      default: 115200,
      description: "Baud rate of the serial console on COM1.",
      example: 38400,
    }),
  },
  testMode: option({
    type: z.enum(["off", "selftest", "bench"]),
    default: "off",
    description: "Build the kernel with its in-kernel tests (`selftest`, lines `EXO-TEST <name> ok|FAIL`) or benchmarks (`bench`, lines `EXO-BENCH <name> <value> <unit>`); `exo run --selftest` and `--bench` set it.",
    example: "selftest",
  }),
  debugExit: option({
    type: z.boolean(),
    default: true,
    description: "When the kernel is done, end QEMU through the isa-debug-exit device with the kernel's status.",
    example: false,
  }),
};
