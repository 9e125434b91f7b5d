// Builder: the flat kernel image of ports that boot one (aarch64 and riscv64:
// a Linux-style Image whose header the port's boot code writes), made from
// the linked ELF with llvm-objcopy -O binary. x86_64 boots the ELF itself.
import { cp } from "node:fs/promises";
import { join } from "node:path";
import type { Builder } from "../../store/derivation.ts";
import type { Tool } from "../toolchain.ts";
import { runTool } from "./exec.ts";
import { KERNEL_FILE, KERNEL_IMAGE_FILE } from "./outputs.ts";
import { builderVersion } from "./version.ts";

export function kernelImageBuilder(objcopy: Tool): Builder {
  return {
    version: builderVersion(import.meta.url, { objcopy: objcopy.version, sha256: objcopy.sha256 }),
    async run(ctx) {
      // A short relative name: objcopy never sees an absolute path.
      await cp(join(ctx.inputs.kernel!, KERNEL_FILE), join(ctx.tmp, KERNEL_FILE));
      await runTool(objcopy, ["-O", "binary", KERNEL_FILE, KERNEL_IMAGE_FILE], { cwd: ctx.tmp, what: "llvm-objcopy making the kernel's flat Image", log: ctx.log });
      await cp(join(ctx.tmp, KERNEL_IMAGE_FILE), join(ctx.out, KERNEL_IMAGE_FILE));
    },
  };
}
