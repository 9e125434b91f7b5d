// Builder: the initrd, a deterministic tar of what the kernel loads: the
// configuration it was built from and the package list (with versions).
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Builder } from "../../store/derivation.ts";
import { canonicalJson } from "../../store/hash.ts";
import { packTar } from "../image/tar.ts";
import { builderVersion } from "./version.ts";

export interface InitrdArgs {
  readonly config: unknown;
  readonly packages: readonly { readonly name: string; readonly version: string }[];
  readonly epoch: number;
}

export const INITRD_FILE = "initrd.tar";

export function initrdBuilder(): Builder {
  return {
    version: builderVersion(import.meta.url),
    async run(ctx) {
      const args = ctx.args as unknown as InitrdArgs;
      const tar = await packTar(
        [
          { name: "etc/exo/config.json", data: Buffer.from(`${canonicalJson(args.config)}\n`) },
          { name: "etc/exo/packages.json", data: Buffer.from(`${canonicalJson(args.packages)}\n`) },
        ],
        args.epoch,
      );
      await writeFile(join(ctx.out, INITRD_FILE), tar);
    },
  };
}
