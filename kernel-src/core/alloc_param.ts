// include/alloc_param.h: the allocator's and memory isolation's tunables,
// included only by core/tcache.c.
import type { KernelTemplateInput } from "../input.ts";
import { allocSections, paramHeader } from "../params.ts";
import type { Template } from "../template.ts";

const source = "core/alloc_param.ts";

export const allocParam: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    return paramHeader(source, "include/alloc_param.h", "Allocator and memory-isolation tunables, each beside the option that set it.", allocSections(k));
  },
};
