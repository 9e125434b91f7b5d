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
    // The policy's own row says which scheduler was generated: param.h lists it, the C has no use for it.
    const sections = schedSections(k).map((s) => ({ ...s, rows: s.rows.filter(([, , option]) => !(s.switches ?? []).includes(option)) }));
    if (sections.every((s) => s.rows.length === 0)) return undefined;
    return paramHeader(source, "include/sched_param.h", "Scheduler tunables, each beside the option that set it.", sections);
  },
};
