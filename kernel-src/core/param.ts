// include/param.h: every option value the kernel is generated from, one
// #define each, with the option path beside it, so a reader of the C finds
// every tunable and its source in one place (xv6's param.h). No C file
// includes it: each includes the small header of its own subsystem, which
// repeats its rows, so one option change recompiles few files.
import type { KernelTemplateInput } from "../input.ts";
import { allocSections, inlineSections, ipcSections, paramHeader, schedSections } from "../params.ts";
import type { Template } from "../template.ts";

const source = "core/param.ts";

export const param: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    const summary = "Every option value the kernel uses, each beside the option that set it: the index of all tunables.";
    const headers = [
      ...(k.ipc.enable ? ["ipc_param.h"] : []),
      ...(k.scheduler.policy === "predictive" ? ["sched_param.h"] : []),
      ...(k.allocator.threadCacheObjects > 0 ? ["alloc_param.h"] : []),
    ].join(", ");
    const intro = [
      "The index of every tunable. Included by no C file: each C file includes",
      `the header of its subsystem (${headers}), which repeats`,
      "its rows below, or takes its one value inline, so changing one option",
      "recompiles only the files that use it.",
    ];
    return paramHeader(source, "include/param.h", summary, [...ipcSections(k), ...schedSections(k), ...allocSections(k), ...inlineSections(k)], intro);
  },
};
