// Plan: turn an evaluated Config into the build graph. Pure: no files are
// read or written, nothing is built. One derivation per generated source
// file, so an option change recompiles only the files whose text changed.
import type { Evaluation } from "../eval/index.ts";
import { archToolchain, renderKernel } from "../../kernel-src/index.ts";
import type { KernelTemplateInput } from "../../kernel-src/input.ts";
import { type BuildGraph, type Derivation, PLAN_SCHEMA } from "../../store/derivation.ts";
import type { Json } from "../../store/hash.ts";
import { ExoError } from "../errors.ts";
import type { BootloaderArgs } from "../builders/bootloader.ts";
import { generationInput, type ImageArgs } from "../builders/image.ts";
import type { InitrdArgs } from "../builders/initrd.ts";
import type { PayloadArgs } from "../builders/payload.ts";
import { grubConfig } from "../image/grub-cfg.ts";
import { packageSet } from "../../schemas/packages.ts";
import type { CompileArgs } from "../builders/compile.ts";
import type { LinkArgs } from "../builders/link.ts";
import { includedHeaders } from "./includes.ts";

export interface PlanOptions {
  /** Id of the key that signs the image; null for an unsigned build. */
  readonly keyId: string | null;
  /** Older generations the boot menu may offer (`exo switch`), newest first. */
  readonly olderGenerations?: readonly OlderPayload[];
}

/** An older generation: its number and the store path of its signed payload. */
export interface OlderPayload {
  readonly number: number;
  readonly payload: string;
}

const SOURCES = "kernel-sources";
const KERNEL = "kernel";
const INITRD = "initrd";
const BOOTLOADER = "bootloader";
/** Id of the signed payload tree, which `exo switch` records so later images can carry it. */
export const PAYLOAD = "payload";
const IMAGE = "image";

export function planBuild(evaluation: Evaluation, opts: PlanOptions): BuildGraph {
  const { config, hash } = evaluation;
  if (config.system.arch !== "x86_64") {
    throw new ExoError("ERR_EXO_CONFIG_INVALID", `option \`system.arch\` is ${config.system.arch}, but only x86_64 kernels can be built so far`, 'set system.arch = "x86_64"');
  }
  const input: KernelTemplateInput = { systemName: config.system.name, arch: config.system.arch, configHash: hash, kernel: config.kernel, sandbox: config.sandbox };
  const toolchain = archToolchain(config.system.arch);
  const files = renderKernel(input);

  const epoch = config.image.sourceDateEpoch;
  const packages = [...new Set(config.packages.install)].map((name) => ({ name, version: packageSet[name].version }));
  const initrd: InitrdArgs = { config: config as unknown as Json, packages, epoch };
  const derivations: Derivation[] = [
    { id: INITRD, name: `initrd-${config.system.name}`, builder: "initrd", args: initrd as unknown as Json, inputs: {} },
    { id: SOURCES, name: "kernel-sources", builder: "kernel-sources", args: { input } as unknown as Json, inputs: { initrd: { node: INITRD } } },
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
  const bootloader: BootloaderArgs = { epoch };
  derivations.push({ id: BOOTLOADER, name: "grub-images", builder: "bootloader", args: bootloader as unknown as Json, inputs: {} });
  const grubCfg = grubConfig({
    baud: config.kernel.console.baud,
    timeoutSeconds: config.image.bootTimeoutSeconds,
    entries: [{ title: `Exo ${config.system.name} (config ${hash.slice(0, 12)})`, kernel: "/boot/kernel.elf", initrd: "/boot/initrd.tar" }],
  });
  const payload: PayloadArgs = { system: config.system.name, arch: config.system.arch, configHash: hash, grubCfg, packages, epoch, keyId: opts.keyId };
  derivations.push({
    id: PAYLOAD,
    name: `payload-${config.system.name}`,
    builder: "payload",
    args: payload as unknown as Json,
    inputs: { kernel: { node: KERNEL }, initrd: { node: INITRD }, bootloader: { node: BOOTLOADER } },
  });
  const formats = [...new Set(config.image.formats)];
  const hasMenu = formats.includes("iso") || formats.includes("raw");
  const older = hasMenu ? (opts.olderGenerations ?? []).slice(0, config.image.bootMenuGenerations - 1) : [];
  const image: ImageArgs = {
    formats,
    generations: older.map((g) => g.number),
    epoch,
    diskSignature: Number.parseInt(hash.slice(0, 8), 16),
    volumeId: `EXO_${config.system.name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`.slice(0, 11),
  };
  derivations.push({
    id: IMAGE,
    name: `image-${config.system.name}`,
    builder: "image",
    args: image as unknown as Json,
    inputs: {
      payload: { node: PAYLOAD },
      bootloader: { node: BOOTLOADER },
      ...Object.fromEntries(older.map((g) => [generationInput(g.number), { storePath: g.payload }])),
    },
  });
  return { schema: PLAN_SCHEMA, derivations, output: IMAGE };
}
