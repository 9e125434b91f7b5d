// include/alloc_param.h: the per-thread caches' tunables, included only by
// core/tcache.c, so it is absent with the caches. Which allocator and which
// memory isolation are built shows in the code generated (param.h lists them).
import type { KernelTemplateInput } from "../input.ts";
import { allocSections, paramHeader } from "../params.ts";
import type { Template } from "../template.ts";

const source = "core/alloc_param.ts";

export const allocParam: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    if (k.allocator.threadCacheObjects === 0) return undefined;
    const read = allocSections(k).filter((s) => s.rows.some(([name]) => name === "EXO_ALLOC_THREAD_CACHE_OBJECTS"));
    return paramHeader(source, "include/alloc_param.h", "The per-thread caches' tunables, each beside the option that set it.", read);
  },
};
