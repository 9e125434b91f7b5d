// Builders: render the templates of kernel-src/ into trees of C, assembly and
// linker-script files: the kernel's (from the kernel config) and the user
// programs' (which depend on no option).
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { renderKernel } from "../../kernel-src/index.ts";
import type { GeneratedFile, KernelTemplateInput } from "../../kernel-src/input.ts";
import { renderUser } from "../../kernel-src/user/index.ts";
import type { Arch } from "../../schemas/system.ts";
import type { Builder } from "../../store/derivation.ts";
import { hashTree } from "../../store/tree.ts";
import { sha256File } from "../../store/hash.ts";
import { INITRD_FILE } from "./outputs.ts";
import { builderVersion } from "./version.ts";
import { exoPath } from "../exo-root.ts";

export const KERNEL_SRC_DIR = exoPath("kernel-src");

async function writeTree(out: string, files: readonly GeneratedFile[]): Promise<void> {
  for (const file of files) {
    const target = join(out, file.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.text);
  }
}

/** The hash of every template's text: part of both builders' versions, so editing a template rebuilds the sources. */
export function templatesHash(): Promise<string> {
  return hashTree(KERNEL_SRC_DIR);
}

export function kernelSourcesBuilder(templates: string): Builder {
  return {
    version: builderVersion(import.meta.url, { templates }),
    async run(ctx) {
      const { input } = ctx.args as unknown as { input: KernelTemplateInput };
      // The initrd is an input: its hash is baked into the kernel, which checks it at boot.
      const initrdSha256 = ctx.inputs.initrd ? await sha256File(join(ctx.inputs.initrd, INITRD_FILE)) : undefined;
      await writeTree(ctx.out, renderKernel({ ...input, ...(initrdSha256 ? { initrdSha256 } : {}) }));
    },
  };
}

export function userSourcesBuilder(templates: string): Builder {
  return {
    version: builderVersion(import.meta.url, { templates }),
    async run(ctx) {
      await writeTree(ctx.out, renderUser((ctx.args as unknown as { arch: Arch }).arch));
    },
  };
}
