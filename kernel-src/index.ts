// The kernel as templates: from the evaluated kernel config to the C, assembly
// and linker-script text of one architecture. Pure and deterministic: the same
// input gives the same files, in the same (path) order.
import type { Arch } from "../schemas/system.ts";
import type { ArchToolchain, GeneratedFile, KernelTemplateInput } from "./input.ts";
import * as x86_64 from "./arch/x86_64/index.ts";
import { coreTemplates } from "./core/index.ts";
import type { Template } from "./template.ts";

export type { ArchToolchain, GeneratedFile, KernelTemplateInput, PackagePolicy } from "./input.ts";

interface Port {
  readonly templates: readonly Template[];
  readonly toolchain: ArchToolchain;
}

const ports: Partial<Record<Arch, Port>> = { x86_64 };

function port(arch: Arch): Port {
  const p = ports[arch];
  if (p === undefined) {
    throw new Error(`kernel-src: no kernel port for arch "${arch}" (supported: ${Object.keys(ports).join(", ")})`);
  }
  return p;
}

/** Render every file of the kernel source tree for `input.arch`, sorted by path. Throws for an arch without a port. */
export function renderKernel(input: KernelTemplateInput): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  for (const template of [...coreTemplates, ...port(input.arch).templates]) {
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
  return port(arch).toolchain;
}
