// include/sched_param.h: the scheduler's tunables, included only by
// core/sched.c and arch/x86_64/timer.c, so one scheduler option recompiles
// those two files.
import type { KernelTemplateInput } from "../input.ts";
import { paramHeader, schedSections } from "../params.ts";
import type { Template } from "../template.ts";

const source = "core/sched_param.ts";

export const schedParam: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    return paramHeader(source, "include/sched_param.h", "Scheduler tunables, each beside the option that set it.", schedSections(k));
  },
};
