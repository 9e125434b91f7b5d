// include/sched_param.h: the scheduler's tunables, included only by
// core/sched.c, so one scheduler option recompiles that file (and
// core/build_info.c, for the config hash). The timeslice is the timer's.
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
