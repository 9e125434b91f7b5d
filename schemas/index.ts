// The root of the option tree: every namespace a profile can set.
import type { DefinitionOf, ValueOf } from "./option.ts";
import { imageOptions } from "./image.ts";
import { kernelOptions } from "./kernel.ts";
import { packagesOptions } from "./packages.ts";
import { sandboxOptions } from "./sandbox.ts";
import { systemOptions } from "./system.ts";

export const rootOptions = {
  system: systemOptions,
  kernel: kernelOptions,
  sandbox: sandboxOptions,
  packages: packagesOptions,
  image: imageOptions,
};

export type RootOptions = typeof rootOptions;
/** The evaluated configuration: plain, frozen data. */
export type Config = ValueOf<RootOptions>;
/** What a module or profile may define. */
export type ConfigDefinition = DefinitionOf<RootOptions, Config>;
export type KernelConfig = Config["kernel"];
