// The kernel as templates: from the evaluated kernel config to the C, assembly
// and linker-script text of one architecture. Pure and deterministic: the same
// input gives the same files, in the same (path) order.
import type { Arch } from "../schemas/system.ts";
import type { ArchToolchain, GeneratedFile, KernelTemplateInput } from "./input.ts";
import { coreTemplates } from "./core/index.ts";
import { portDefsTemplate } from "./core/port-defs.ts";
import { portSelftestTemplate } from "./core/selftest/port-file.ts";
import { portOf } from "./ports.ts";

export type { ArchToolchain, GeneratedFile, KernelTemplateInput, PackagePolicy } from "./input.ts";

/** Render every file of the kernel source tree for `input.arch`, sorted by path.  */
export function renderKernel(input: KernelTemplateInput): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  const port = portOf(input.arch);
  // The port's self-tests go to its own arch/<arch>/selftest.c, made from port.selftests.
  const portTests = portSelftestTemplate(`arch/${input.arch}/selftest.ts`, `arch/${input.arch}/selftest.c`, port.selftests);
  // Its declarations go to its own header, include/declarations.h, which defs.h includes.
  const portDefs = portDefsTemplate(`arch/${input.arch}/declarations.ts`, port.declarations);
  for (const template of [...coreTemplates, ...port.templates, portTests, portDefs]) {
    const file = template.render(input);
    if (file !== undefined) files.push(file);
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  files.forEach((f, i) => {
    if (i > 0 && files[i - 1]?.path === f.path) throw new Error(`kernel-src: two templates emit ${f.path}`);
  });
  return files;
}

/** How to compile (each .c and .S separately, from the tree's root) and link the tree rendered for `arch`. */
export function archToolchain(arch: Arch): ArchToolchain {
  return portOf(arch).toolchain;
}
