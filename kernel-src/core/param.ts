// include/param.h: every option value the kernel uses, one #define each,
// with the option path beside it so a reader of the C can find its source.
import type { KernelTemplateInput } from "../input.ts";
import { alphaQ16, syscallTiers } from "../features.ts";
import { emit, type Template } from "../template.ts";
import { alignColumns } from "../writer.ts";

const source = "core/param.ts";

interface Section {
  readonly title: string;
  /** Options named by the title rather than by a row (a feature switch). */
  readonly switches?: readonly string[];
  readonly rows: readonly (readonly [name: string, value: string | number, option: string, note?: string])[];
}

/** The sections of param.h; a feature that is off has no section, so leaves no trace. */
function sections({ kernel: k }: KernelTemplateInput): Section[] {
  const { ipc, scheduler: sched } = k;
  const out: Section[] = [];
  if (ipc.enable) {
    out.push({
      title: "Fusion Rings IPC (kernel.ipc.enable = true): core/ipc.c",
      switches: ["kernel.ipc.enable"],
      rows: [
        ["EXO_IPC_RING_SLOTS", ipc.ringSlots, "kernel.ipc.ringSlots"],
        ["EXO_IPC_BATCH_SIZE", ipc.batchSize, "kernel.ipc.batchSize"],
        ["EXO_IPC_SPIN_ITERATIONS", ipc.spinIterations, "kernel.ipc.spinIterations"],
      ],
    });
  }
  out.push({
    title: `Scheduler (kernel.scheduler.policy = "${sched.policy}")`,
    switches: ["kernel.scheduler.policy"],
    rows: [
      ...(sched.policy === "predictive"
        ? [["EXO_SCHED_EMA_ALPHA_Q16", alphaQ16(sched.emaAlpha), "kernel.scheduler.emaAlpha", ` = ${sched.emaAlpha}, in 1/65536`] as const]
        : []),
      ["EXO_SCHED_TIMESLICE_US", sched.timesliceUs, "kernel.scheduler.timesliceUs"],
    ],
  });
  if (k.allocator.threadCacheObjects > 0) {
    out.push({
      title: "Allocator: per-thread caches in front of the per-CPU slabs",
      rows: [["EXO_ALLOC_THREAD_CACHE_OBJECTS", k.allocator.threadCacheObjects, "kernel.allocator.threadCacheObjects"]],
    });
  }
  if (k.contextSwitch.lazyFpu) {
    out.push({
      title: "Context switch: FPU state is saved only for threads that use it",
      rows: [["EXO_LAZY_FPU", 1, "kernel.contextSwitch.lazyFpu"]],
    });
  }
  out.push({
    title: "POSIX-X syscall tiers: how many syscalls each holds (their numbers are in sysnum.h)",
    rows: syscallTiers(k).map((t) => [`EXO_SYSCALLS_${t.tier.toUpperCase()}`, t.syscalls.length, t.option] as const),
  });
  out.push({ title: "Console", rows: [["EXO_CONSOLE_BAUD", k.console.baud, "kernel.console.baud"]] });
  out.push({ title: "In-kernel tests and benchmarks", rows: [["EXO_TEST_MODE", `"${k.testMode}"`, "kernel.testMode"]] });
  if (k.debugExit) {
    out.push({
      title: "QEMU isa-debug-exit: the port arch_exit writes the kernel's status to",
      rows: [["EXO_DEBUG_EXIT_PORT", "0xf4", "kernel.debugExit"]],
    });
  }
  return out;
}

export const param: Template = {
  source,
  render(input: KernelTemplateInput) {
    const all = sections(input);
    const options = all.flatMap((s) => [...(s.switches ?? []), ...s.rows.map((r) => r[2])]);
    const summary = "Every option value the kernel uses, each beside the option that set it.";
    return emit({ source, path: "include/param.h", summary, options: [...new Set(options)] }, (w) => {
      w.line("#pragma once");
      for (const s of all) {
        w.blank().comment(s.title);
        w.line(...alignColumns(s.rows.map(([name, value, option, note]) => ["#define", name, String(value), `/* ${option}${note ?? ""} */`])));
      }
    });
  },
};
