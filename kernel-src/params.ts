// The tunables of each subsystem as #define rows, each beside the option path
// that set it. include/param.h lists them all (the one place a reader looks);
// the C includes only the small header of its own subsystem (ipc_param.h,
// sched_param.h, alloc_param.h) or has its one value inline, so changing one
// option recompiles few files. A feature that is off has no rows.
import type { KernelConfig } from "../schemas/index.ts";
import { alphaQ16, syscallTiers } from "./features.ts";
import { tmpfsConfig, type GeneratedFile } from "./input.ts";
import { emit } from "./template.ts";
import { alignColumns } from "./writer.ts";

export type Row = readonly [name: string, value: string | number, option: string, note?: string];

export interface Section {
  readonly title: string;
  /** Options named by the title rather than by a row (a feature switch). */
  readonly switches?: readonly string[];
  readonly rows: readonly Row[];
}

/** One tunables header: the sections in order, each a comment and an aligned #define table. */
export function paramHeader(source: string, path: string, summary: string, all: readonly Section[], intro: readonly string[] = []): GeneratedFile {
  const options = all.flatMap((s) => [...(s.switches ?? []), ...s.rows.map((r) => r[2])]);
  return emit({ source, path, summary, options: [...new Set(options)] }, (w) => {
    w.line("#pragma once");
    if (intro.length > 0) w.blank().comment(...intro);
    for (const s of all) {
      w.blank().comment(s.title);
      w.line(...alignColumns(s.rows.map(([name, value, option, note]) => ["#define", name, String(value), `/* ${option}${note ?? ""} */`])));
    }
  });
}

/** Fusion Rings: core/ipc.c, through include/ipc_param.h. */
export function ipcSections(k: KernelConfig): Section[] {
  if (!k.ipc.enable) return [];
  return [
    {
      title: "Fusion Rings IPC (kernel.ipc.enable = true): include/ipc_param.h, core/ipc.c",
      switches: ["kernel.ipc.enable"],
      rows: [
        ["EXO_IPC_RING_SLOTS", k.ipc.ringSlots, "kernel.ipc.ringSlots"],
        ["EXO_IPC_BATCH_SIZE", k.ipc.batchSize, "kernel.ipc.batchSize"],
        ["EXO_IPC_SPIN_ITERATIONS", k.ipc.spinIterations, "kernel.ipc.spinIterations"],
      ],
    },
  ];
}

/** The scheduler: core/sched.c, through include/sched_param.h. */
export function schedSections(k: KernelConfig): Section[] {
  const s = k.scheduler;
  const predictive: Row[] =
    s.policy === "predictive"
      ? [
          ["EXO_SCHED_PREDICTIVE", 1, "kernel.scheduler.policy"],
          ["EXO_SCHED_EMA_ALPHA_Q16", alphaQ16(s.emaAlpha), "kernel.scheduler.emaAlpha", ` = ${s.emaAlpha}, in 1/65536`],
          ["EXO_SCHED_HISTORY", s.historyLength, "kernel.scheduler.historyLength"],
          ["EXO_SCHED_HOT_US", s.hotThresholdUs, "kernel.scheduler.hotThresholdUs"],
          ["EXO_SCHED_NORMAL_US", s.normalThresholdUs, "kernel.scheduler.normalThresholdUs"],
        ]
      : [];
  return [
    {
      title: `Scheduler (kernel.scheduler.policy = "${s.policy}"): include/sched_param.h, core/sched.c`,
      switches: ["kernel.scheduler.policy"],
      rows: predictive.length > 0 ? predictive : [["EXO_SCHED_ROUND_ROBIN", 1, "kernel.scheduler.policy"]],
    },
  ];
}

/** The allocator and memory isolation: include/alloc_param.h. */
export function allocSections(k: KernelConfig): Section[] {
  const iso = k.memory.isolation;
  return [
    k.allocator.threadCacheObjects > 0
      ? {
          title: "Allocator: per-thread caches in front of the per-CPU slabs: include/alloc_param.h, core/tcache.c",
          rows: [["EXO_ALLOC_THREAD_CACHE_OBJECTS", k.allocator.threadCacheObjects, "kernel.allocator.threadCacheObjects"]],
        }
      : {
          title: "Allocator: no per-thread caches, kmalloc goes straight to the per-CPU slabs (core/slab.c)",
          rows: [["EXO_ALLOC_TWO_LEVEL", 1, "kernel.allocator.threadCacheObjects", " = 0"]],
        },
    {
      title: `Memory isolation (kernel.memory.isolation = "${iso}"): the code of arch/x86_64/pku.c`,
      rows: [[`EXO_ISOLATION_${iso.toUpperCase()}`, 1, "kernel.memory.isolation"]],
    },
  ];
}

/** Options whose value is written inline into the one file that uses it, or that choose which code is generated. */
export function inlineSections(k: KernelConfig): Section[] {
  const out: Section[] = [
    {
      title: `Context switch: the code of arch/x86_64/fpu.c`,
      rows: [[k.contextSwitch.lazyFpu ? "EXO_LAZY_FPU" : "EXO_EAGER_FPU", 1, "kernel.contextSwitch.lazyFpu", ` = ${k.contextSwitch.lazyFpu}`]],
    },
    {
      title: "POSIX-X syscall tiers: how many syscalls each holds (inline in core/main.c; their numbers are in sysnum.h)",
      rows: syscallTiers(k).map((t) => [`EXO_SYSCALLS_${t.tier.toUpperCase()}`, t.syscalls.length, t.option] as const),
    },
    { title: "Timeslice (inline in arch/x86_64/timer.c, which preempts)", rows: [timesliceRow(k)] },
    { title: "Console (inline in arch/x86_64/serial.c)", rows: [["EXO_CONSOLE_BAUD", k.console.baud, "kernel.console.baud"]] },
    tmpfsSection(k),
    {
      title: "In-kernel tests: which of core/selftest.c and core/bench.c is generated",
      rows: [[`EXO_TEST_MODE_${k.testMode.toUpperCase()}`, 1, "kernel.testMode", ` = "${k.testMode}"`]],
    },
  ];
  if (k.debugExit) {
    out.push({
      title: "QEMU isa-debug-exit: the port's arch_halt writes the kernel's status to (inline in arch/x86_64/power.c)",
      rows: [["EXO_DEBUG_EXIT_PORT", "0xf4", "kernel.debugExit"]],
    });
  }
  return out;
}

/** The tmpfs mounts (inline in core/tmpfs.c): the pages all of them may hold, and how many there are. */
export function tmpfsSection(k: KernelConfig): Section {
  const t = tmpfsConfig(k);
  return {
    title: `tmpfs at ${t.mounts.join(", ")} (inline in core/tmpfs.c)`,
    rows: [
      ["EXO_TMPFS_MAX_PAGES", t.maxPages, "kernel.tmpfs.maxPages"],
      ["EXO_TMPFS_MOUNT_COUNT", t.mounts.length, "kernel.tmpfs.mounts"],
    ],
  };
}

/** The timeslice drives the timer alone; the scheduler reads it from timer.c at run time. */
export function timesliceRow(k: KernelConfig): Row {
  return ["EXO_SCHED_TIMESLICE_US", k.scheduler.timesliceUs, "kernel.scheduler.timesliceUs"];
}

/** `#define` lines for a section's rows, for a file that takes its values inline. */
export function inlineDefines(rows: readonly Row[]): string[] {
  return alignColumns(rows.map(([name, value, option, note]) => ["#define", name, String(value), `/* ${option}${note ?? ""} */`]));
}
