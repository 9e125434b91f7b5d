// Plan: turn an evaluated Config into the build graph. Pure: no files are
// read or written, nothing is built. One derivation per generated source
// file, so an option change recompiles only the files whose text changed.
import type { Evaluation } from "../eval/index.ts";
import { archToolchain, renderKernel } from "../../kernel-src/index.ts";
import type { KernelTemplateInput } from "../../kernel-src/input.ts";
import { type BuildGraph, type Derivation, PLAN_SCHEMA } from "../../store/derivation.ts";
import type { Json } from "../../store/hash.ts";
import { ExoError } from "../errors.ts";
import type { BundleArgs } from "../builders/bundle.ts";
import type { CompileArgs } from "../builders/compile.ts";
import type { LinkArgs } from "../builders/link.ts";
import { includedHeaders } from "./includes.ts";

export interface PlanOptions {
  /** Id of the key that signs the image. */
  readonly keyId: string;
}

const SOURCES = "kernel-sources";
const KERNEL = "kernel";
const BUNDLE = "bundle";

export function planBuild(evaluation: Evaluation, opts: PlanOptions): BuildGraph {
  const { config, hash } = evaluation;
  if (config.system.arch !== "x86_64") {
    throw new ExoError("ERR_EXO_CONFIG_INVALID", `option \`system.arch\` is ${config.system.arch}, but only x86_64 kernels can be built so far`, 'set system.arch = "x86_64"');
  }
  const input: KernelTemplateInput = { systemName: config.system.name, arch: config.system.arch, configHash: hash, kernel: config.kernel };
  const toolchain = archToolchain(config.system.arch);
  const files = renderKernel(input);

  const derivations: Derivation[] = [
    { id: SOURCES, name: "kernel-sources", builder: "kernel-sources", args: { input } as unknown as Json, inputs: {} },
  ];
  const objects: Record<string, { node: string }> = {};
  for (const file of files) {
    const isAsm = file.path.endsWith(".S");
    if (!isAsm && !file.path.endsWith(".c")) continue;
    const id = `obj:${file.path}`;
    const args: CompileArgs = {
      file: file.path,
      template: file.template,
      includeDir: toolchain.includeDir,
      target: toolchain.target,
      flags: isAsm ? toolchain.asflags : toolchain.cflags,
    };
    derivations.push({
      id,
      name: `${file.path.replace(/[^a-zA-Z0-9._+-]/g, "-")}.o`,
      builder: "compile",
      args: args as unknown as Json,
      inputs: {
        source: { node: SOURCES, path: file.path },
        ...Object.fromEntries(includedHeaders(file, files, toolchain.includeDir).map((h) => [`header:${h}`, { node: SOURCES, path: h }])),
      },
    });
    objects[`obj${String(Object.keys(objects).length).padStart(3, "0")}`] = { node: id };
  }
  const link: LinkArgs = { ldflags: toolchain.ldflags, objects: Object.keys(objects) };
  derivations.push({
    id: KERNEL,
    name: `kernel-${config.system.name}`,
    builder: "link",
    args: link as unknown as Json,
    inputs: { ...objects, linkerScript: { node: SOURCES, path: toolchain.linkerScript } },
  });
  const bundle: BundleArgs = {
    system: config.system.name,
    arch: config.system.arch,
    configHash: hash,
    sourceDateEpoch: config.image.sourceDateEpoch,
    keyId: opts.keyId,
  };
  derivations.push({ id: BUNDLE, name: `image-${config.system.name}`, builder: "bundle", args: bundle as unknown as Json, inputs: { kernel: { node: KERNEL } } });
  return { schema: PLAN_SCHEMA, derivations, output: BUNDLE };
}
