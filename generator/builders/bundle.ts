// Builder: the signed `bundle` image, a deterministic tar of the kernel,
// the manifest and the manifest's ML-DSA signature.
import { readFile, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { Builder } from "../../store/derivation.ts";
import { writeBundle } from "../image/bundle.ts";
import type { SecretKeyHandle } from "../sign/keys.ts";
import { KERNEL_FILE } from "./link.ts";
import { builderVersion } from "./version.ts";

export interface BundleArgs {
  readonly system: string;
  readonly arch: string;
  readonly configHash: string;
  readonly sourceDateEpoch: number;
  /** Which key signs; part of the key so a new key makes a new bundle. */
  readonly keyId: string;
}

export const BUNDLE_FILE = "bundle.tar";

export function bundleBuilder(keyFile: SecretKeyHandle): Builder {
  return {
    version: builderVersion(import.meta.url),
    async run(ctx) {
      const args = ctx.args as unknown as BundleArgs;
      const key = await keyFile.load();
      if (args.keyId !== key.keyId) throw new Error(`plan asks for key ${args.keyId} but key ${key.keyId} was loaded`);
      const kernelDir = ctx.inputs.kernel!;
      const bundle = await writeBundle(
        { system: args.system, arch: args.arch, configHash: args.configHash },
        [{ path: KERNEL_FILE, data: await readFile(join(kernelDir, KERNEL_FILE)), storePath: basename(kernelDir) }],
        key,
        args.sourceDateEpoch,
      );
      await writeFile(join(ctx.out, BUNDLE_FILE), bundle);
    },
  };
}
