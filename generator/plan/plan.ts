// Plan: turn an evaluated Config into the build graph. Pure: no files are
// read or written, nothing is built. One derivation per generated source
// file, so an option change recompiles only the files whose text changed.
import type { Evaluation } from "../eval/index.ts";
import { archToolchain, renderKernel } from "../../kernel-src/index.ts";
import { portOf } from "../../kernel-src/ports.ts";
import type { KernelTemplateInput } from "../../kernel-src/input.ts";
import { type BuildGraph, type Derivation, PLAN_SCHEMA } from "../../store/derivation.ts";
import type { Json } from "../../store/hash.ts";
import { ExoError } from "../errors.ts";
import type { BootloaderArgs } from "../builders/bootloader.ts";
import { generationInput, type ImageArgs, KERNEL_IMAGE_PATH } from "../builders/image.ts";
import semver from "semver";
import { type InitrdArgs, programInput } from "../builders/initrd.ts";
import type { PayloadArgs } from "../builders/payload.ts";
import type { SbomPackage } from "../image/sbom.ts";
import { extlinuxConfig } from "../image/extlinux.ts";
import { grubConfig } from "../image/grub-cfg.ts";
import { KERNEL_FILE, type LinkArgs } from "../builders/link.ts";
import { programSources, userToolchain as userToolchainOf } from "../../kernel-src/user/index.ts";
import type { Arch } from "../../schemas/system.ts";
import type { Config } from "../../schemas/index.ts";
import { allPackageFiles } from "../packages/files.ts";
import { packageDerivations, packageId, packageKey, sdkDerivations, USER_OBJECT_PREFIX, USER_SOURCES } from "../packages/plan.ts";
import type { ResolvedPackage } from "../packages/resolve.ts";
import { appPath, imagePackages } from "./image-packages.ts";
import { compileDerivations, objectId, type Tree } from "./objects.ts";
import { systemConfigOf, systemHashOf } from "./system-config.ts";

export interface PlanOptions {
  /** Id of the key that signs the image; null for an unsigned build. */
  readonly keyId: string | null;
  /** Older generations the boot menu may offer (`exo switch`), newest first. */
  readonly olderGenerations?: readonly OlderPayload[];
  /** The image's version: `exo build --version N`, the generation number for `exo switch`; 0 by default. */
  readonly version?: number;
  /** The packages of packages.install (and init), with what they depend on, as resolvePackages chose them. */
  readonly packages: readonly ResolvedPackage[];
  /** The package each installed attribute of packages.set is; without it, an attribute is the package of that name. */
  readonly installed?: ReadonlyMap<string, ResolvedPackage["pkg"]>;
}

/** An older generation: its number, version and system, and the store path of its signed payload. */
export interface OlderPayload {
  readonly number: number;
  readonly version: number;
  readonly system: string;
  readonly payload: string;
}

const SOURCES = "kernel-sources";
const KERNEL = "kernel";
const INITRD = "initrd";
const BOOTLOADER = "bootloader";
const KERNEL_IMAGE = "kernel-image";
/** Id of the signed payload tree, which `exo switch` records so later images can carry it. */
export const PAYLOAD = "payload";
const IMAGE = "image";

export function planBuild(evaluation: Evaluation, opts: PlanOptions): BuildGraph {
  const { config, hash } = evaluation;
  const installedKeys = new Set([...new Set(["init", ...config.packages.install])].map((attr) => packageKey(opts.installed?.get(attr) ?? installedByName(opts.packages, attr))));
  const layout = imagePackages(config, opts.packages, opts.packages.filter((r) => installedKeys.has(packageKey(r.pkg))));
  // The kernel and the initrd see the system configuration only: an image option rebuilds neither.
  const input: KernelTemplateInput = { systemName: config.system.name, arch: config.system.arch, configHash: systemHashOf(config), kernel: config.kernel, sandbox: config.sandbox, packagePolicies: layout.policies };
  const toolchain = archToolchain(config.system.arch);
  const files = renderKernel(input);

  const epoch = config.image.sourceDateEpoch;
  const selftest = config.kernel.testMode === "selftest";
  // Each program package chosen (installed or depended on at run time), and usertest in self-test builds, at its own path.
  const programs = [...layout.programs, ...(selftest ? [{ key: "usertest", file: "usertest", path: "bin/usertest", executable: true }] : [])];
  const initrd: InitrdArgs = { config: systemConfigOf(config) as unknown as Json, packages: layout.listing as unknown as Json[], programs, links: layout.links, services: layout.services, epoch };
  const derivations: Derivation[] = [
    ...sdkDerivations(config.system.arch, new Set(["lib/crt0.S", "lib/libexo.c", ...(selftest ? programSources("usertest") : [])])),
    ...opts.packages.flatMap((r) => packageDerivations(r.pkg, r.files, r.libraries, config.system.arch)),
    ...(selftest ? [usertestDerivation(config.system.arch)] : []),
    {
      id: INITRD,
      name: `initrd-${config.system.name}`,
      builder: "initrd",
      args: initrd as unknown as Json,
      inputs: {
        ...Object.fromEntries(layout.programs.map(({ key }) => [programInput(key), { node: packageId(key) }])),
        ...(selftest ? { [programInput("usertest")]: { node: programInput("usertest") } } : {}),
      },
    },
    { id: SOURCES, name: "kernel-sources", builder: "kernel-sources", args: { input } as unknown as Json, inputs: { initrd: { node: INITRD } } },
  ];
  const kernelTree: Tree = { files, toolchain, sources: SOURCES, idPrefix: "obj:", namePrefix: "" };
  const objects = compileDerivations(kernelTree);
  derivations.push(...objects);
  derivations.push(linkDerivation(KERNEL, `kernel-${config.system.name}`, SOURCES, toolchain.linkerScript, toolchain.ldflags, objects.map((o) => o.id), KERNEL_FILE, "the kernel"));
  // x86_64 boots its ELF through GRUB (or qemu -kernel, Multiboot); the other ports boot a flat Image made from it.
  const grub = portOf(config.system.arch).qemu.kernelFormat === "elf";
  const formats = [...new Set(config.image.formats)];
  if (!grub && formats.includes("iso")) {
    throw new ExoError("ERR_EXO_CONFIG_INVALID", `option \`image.formats\` holds iso, a GRUB CD image that only x86_64 has; \`system.arch\` is ${config.system.arch}`, 'use image.formats = ["kernel", "bundle", "raw"] for this arch (raw boots under U-Boot)');
  }
  if (grub) {
    const bootloader: BootloaderArgs = { epoch };
    derivations.push({ id: BOOTLOADER, name: "grub-images", builder: "bootloader", args: bootloader as unknown as Json, inputs: {} });
  } else {
    derivations.push({ id: KERNEL_IMAGE, name: `kernel-image-${config.system.name}`, builder: "kernel-image", args: {}, inputs: { kernel: { node: KERNEL } } });
  }
  const bootInput: Derivation["inputs"] = grub ? { bootloader: { node: BOOTLOADER } } : { kernelImage: { node: KERNEL_IMAGE } };
  const title = `Exo ${config.system.name} (config ${hash.slice(0, 12)})`;
  const grubCfg = !grub ? null : grubConfig({ baud: config.kernel.console.baud, timeoutSeconds: config.image.bootTimeoutSeconds, entries: [{ title, kernel: "/boot/kernel.elf", initrd: "/boot/initrd.tar" }] });
  const extlinuxCfg = grub ? null : extlinuxConfig({ title, kernel: `/${KERNEL_IMAGE_PATH}`, initrd: "/boot/initrd.tar" });
  const efiName = portOf(config.system.arch).qemu.efiApp;
  const efiApp = grub || efiName === undefined ? null : `EFI/BOOT/${efiName}`;
  const version = opts.version ?? 0;
  const expires = config.image.validForDays === null ? null : epoch + config.image.validForDays * 86_400;
  const payload: PayloadArgs = { system: config.system.name, arch: config.system.arch, configHash: hash, grubCfg, extlinuxCfg, efiApp, packages: sbomPackages(opts.packages), epoch, version, expires, keyId: opts.keyId };
  derivations.push({
    id: PAYLOAD,
    name: `payload-${config.system.name}`,
    builder: "payload",
    args: payload as unknown as Json,
    // The generated source trees are inputs too, though the payload copies nothing from them: objects take
    // their files by content, so it is the payload that keeps the system's own sources in its closure.
    inputs: { kernel: { node: KERNEL }, initrd: { node: INITRD }, ...bootInput, kernelSources: { node: SOURCES }, userSources: { node: USER_SOURCES } },
  });
  // Only GRUB's menu offers older generations so far.
  const hasMenu = grub && (formats.includes("iso") || formats.includes("raw"));
  // A boot menu offers only older versions of the same system: anything else would be a downgrade in disguise.
  const candidates = (opts.olderGenerations ?? []).filter((g) => g.system === config.system.name && g.version < version);
  const older = hasMenu ? candidates.slice(0, config.image.bootMenuGenerations - 1) : [];
  const image: ImageArgs = {
    formats,
    generations: older.map((g) => g.number),
    epoch,
    volumeId: `EXO_${config.system.name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`.slice(0, 11),
    keyId: opts.keyId,
  };
  derivations.push({
    id: IMAGE,
    name: `image-${config.system.name}`,
    builder: "image",
    args: image as unknown as Json,
    inputs: {
      payload: { node: PAYLOAD },
      ...(grub ? { bootloader: { node: BOOTLOADER } } : {}),
      ...Object.fromEntries(older.map((g) => [generationInput(g.number), { storePath: g.payload }])),
    },
  });
  return { schema: PLAN_SCHEMA, derivations, output: IMAGE };
}

/** The package an installed attribute names, for callers that resolved by package name (its name is the attribute). */
function installedByName(resolved: readonly ResolvedPackage[], attr: string): ResolvedPackage["pkg"] {
  const found = resolved.filter((r) => r.pkg.manifest.package.name === attr).sort((x, y) => (semver.gt(x.pkg.manifest.package.version, y.pkg.manifest.package.version) ? -1 : 1))[0];
  if (!found) throw new Error(`packages.install holds ${attr}, which resolvePackages did not resolve`);
  return found.pkg;
}

/** What the SBOM says of each package the image is built from, by name. */
function sbomPackages(resolved: readonly ResolvedPackage[]): SbomPackage[] {
  return resolved
    .map(({ pkg: { manifest: m }, files, libraries, runtime }) => ({
      name: m.package.name,
      version: m.package.version,
      license: m.package.license,
      sources: allPackageFiles(files).map(({ path, sha256 }) => ({ path, sha256 })),
      file: m.package.kind === "program" ? appPath(m.package.name, m.package.version) : null,
      links: libraries.map(packageKey),
      needs: runtime.map(packageKey).sort(),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : semver.compare(a.version, b.version)));
}

/** usertest, the self-tests' user half: linked from the SDK's tree like a program, kept out of the package set. */
function usertestDerivation(arch: Arch): Derivation {
  const objects = programSources("usertest").map((f) => objectId(USER_OBJECT_PREFIX, f));
  const userToolchain = userToolchainOf(arch);
  return linkDerivation(programInput("usertest"), "user-usertest", USER_SOURCES, userToolchain.linkerScript, userToolchain.ldflags, objects, "usertest", "user program usertest");
}

/** A link derivation: the objects (derivation ids, in link order) with a tree's linker script, into one file. */
function linkDerivation(id: string, name: string, sources: string, script: string, ldflags: readonly string[], objectIds: readonly string[], output: string, what: string): Derivation {
  const inputs = Object.fromEntries(objectIds.map((o, i) => [`obj${String(i).padStart(3, "0")}`, { node: o }]));
  const link: LinkArgs = { ldflags, objects: Object.keys(inputs), output, what };
  return { id, name, builder: "link", args: link as unknown as Json, inputs: { ...inputs, linkerScript: { node: sources, path: script } } };
}
