// include/ipc_param.h: the Fusion Rings tunables, included only by core/ipc.c.
// Absent when kernel.ipc.enable is off.
import type { KernelTemplateInput } from "../input.ts";
import { ipcSections, paramHeader } from "../params.ts";
import type { Template } from "../template.ts";

const source = "core/ipc_param.ts";

export const ipcParam: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    if (!k.ipc.enable) return undefined;
    return paramHeader(source, "include/ipc_param.h", "Fusion Rings tunables, each beside the option that set it.", ipcSections(k));
  },
};
