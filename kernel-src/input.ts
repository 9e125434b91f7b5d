// What the kernel templates are generated from: a slice of the evaluated
// Config plus the config hash the banner prints. Templates see nothing else.
import type { Arch } from "../schemas/system.ts";
import type { Config, KernelConfig } from "../schemas/index.ts";
import type { Capability } from "../schemas/sandbox.ts";

type SandboxConfig = Config["sandbox"];

export interface KernelTemplateInput {
  readonly systemName: string;
  readonly arch: Arch;
  /** sha256 hex of the canonical system configuration (every option but image.*); printed in the boot banner. */
  readonly configHash: string;
  readonly kernel: KernelConfig;
  /**
   * SHA-256 hex of the initrd the kernel is built for; the kernel refuses to
   * start anything from an initrd whose hash differs. Absent only where the
   * text is rendered to list the files (planning).
   */
  readonly initrdSha256?: string;
  /**
   * The sandbox policies, for the capabilities of the first process (the
   * policy `sandbox.defaultPolicy` names). Absent: it holds every capability.
   */
  readonly sandbox?: SandboxConfig;
  /** One policy per package the image carries, from its manifest's sandbox after the profile's overrides, sorted by name. */
  readonly packagePolicies?: readonly PackagePolicy[];
}

/** A package's sandbox as the kernel enforces it (core/sandbox.c). */
export interface PackagePolicy {
  /** "<package>@<version>", e.g. "echo-server@0.1.0": the policy name spawn() takes (up to 63 characters). */
  readonly name: string;
  /** The package's name, printed in denials and matched against peers' ipc lists. */
  readonly package: string;
  readonly capabilities: readonly Capability[];
  readonly memoryPages: number;
  /** Absolute guest path prefixes it may open for reading, e.g. "/etc/exo". */
  readonly read: readonly string[];
  /** Absolute guest path prefixes it may open for writing. */
  readonly write: readonly string[];
  /** Names of the packages it may exchange messages with. */
  readonly ipc: readonly string[];
}

/**
 * kernel.tmpfs (modules/kernel/tmpfs.ts): the folders a writable tmpfs is
 * mounted at, as absolute normalised paths, and the pages all of them may
 * hold. Its module declares it until schemas/kernel.ts does, so
 * KernelConfig's type does not carry it yet: read it through tmpfsConfig.
 */
export interface TmpfsConfig {
  readonly mounts: readonly string[];
  readonly maxPages: number;
}

/** The defaults of kernel.tmpfs, for inputs built without it (tests that construct a KernelConfig by hand). */
export const TMPFS_DEFAULTS: TmpfsConfig = { mounts: ["/tmp"], maxPages: 1024 };

/** kernel.tmpfs of an evaluated kernel config, defaults where absent; /tmp is always among the mounts, first. */
export function tmpfsConfig(kernel: KernelConfig): TmpfsConfig {
  const given = (kernel as KernelConfig & { readonly tmpfs?: Partial<TmpfsConfig> }).tmpfs;
  const mounts = given?.mounts ?? TMPFS_DEFAULTS.mounts;
  return { mounts: ["/tmp", ...mounts.filter((m) => m !== "/tmp")], maxPages: given?.maxPages ?? TMPFS_DEFAULTS.maxPages };
}

/** One generated file: its path inside the kernel source tree, its text, and the template that wrote it. */
export interface GeneratedFile {
  readonly path: string;
  readonly text: string;
  /** Path of the template under kernel-src/, e.g. `core/ipc.ts`. */
  readonly template: string;
}

/** How to compile and link the generated tree for one architecture. */
export interface ArchToolchain {
  /** clang/lld target triple. */
  readonly target: string;
  readonly cflags: readonly string[];
  readonly asflags: readonly string[];
  readonly ldflags: readonly string[];
  /** Path (among the generated files) of the linker script. */
  readonly linkerScript: string;
  /** Directory (among the generated files) passed to the compiler with -I. */
  readonly includeDir: string;
}
