// Shared by the kernel-src tests: a template input with every option at its
// default and a patch applied, and helpers to compare rendered trees.
import { isOptionDecl, type OptionTree } from "../../schemas/option.ts";
import { rootOptions, type KernelConfig } from "../../schemas/index.ts";
import type { GeneratedFile, KernelTemplateInput } from "../../kernel-src/index.ts";

/** The value of an option tree with every option at its declared default. */
function defaults(tree: OptionTree): unknown {
  return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, isOptionDecl(v) ? structuredClone(v.default) : defaults(v as OptionTree)]));
}

/** Every option path under `tree`, e.g. `kernel.ipc.ringSlots`. */
export function optionPaths(tree: OptionTree, prefix: string): string[] {
  return Object.entries(tree).flatMap(([k, v]) => (isOptionDecl(v) ? [`${prefix}.${k}`] : optionPaths(v as OptionTree, `${prefix}.${k}`)));
}

const defaultKernel = defaults(rootOptions.kernel) as KernelConfig;

export function input(kernel: Partial<{ [K in keyof KernelConfig]: Partial<KernelConfig[K]> }> = {}, rest: Partial<KernelTemplateInput> = {}): KernelTemplateInput {
  const merged = Object.fromEntries(
    Object.entries(defaultKernel).map(([k, v]) => {
      const patch = (kernel as Record<string, unknown>)[k];
      const isTree = typeof v === "object" && v !== null && !Array.isArray(v);
      return [k, patch === undefined ? v : isTree ? { ...v, ...(patch as object) } : patch];
    }),
  ) as KernelConfig;
  return {
    systemName: rootOptions.system.name.default as string,
    arch: "x86_64",
    configHash: "a".repeat(64),
    kernel: merged,
    ...rest,
  };
}

export function byPath(files: readonly GeneratedFile[]): Map<string, string> {
  return new Map(files.map((f) => [f.path, f.text]));
}

/** Paths whose text differs between two renders, or that only one of them has. */
export function changedPaths(a: readonly GeneratedFile[], b: readonly GeneratedFile[]): string[] {
  const x = byPath(a);
  const y = byPath(b);
  return [...new Set([...x.keys(), ...y.keys()])].filter((p) => x.get(p) !== y.get(p)).sort();
}

export function file(files: readonly GeneratedFile[], path: string): string {
  const text = byPath(files).get(path);
  if (text === undefined) throw new Error(`no generated file ${path}`);
  return text;
}

