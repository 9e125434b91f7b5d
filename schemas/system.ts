// Options of the `system` namespace: what the system is called and what it runs on.
import { z } from "zod";
import { option } from "./option.ts";

export const archs = ["x86_64", "aarch64", "riscv64"] as const;
export type Arch = (typeof archs)[number];

export const systemOptions = {
  name: option({
    type: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, "a lower-case name of 1-32 characters: letters, digits and '-', starting with a letter"),
    default: "exo",
    description: "Name of the system; printed in the boot banner and used to name the image.",
    example: "web-1",
  }),
  arch: option({
    type: z.enum(archs),
    default: "x86_64",
    description: "Target architecture of the kernel and the image.",
    example: "x86_64",
  }),
};
