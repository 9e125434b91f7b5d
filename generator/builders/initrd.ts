// Builder: the initrd, a deterministic tar of what the kernel loads: the user
// programs (bin/<name>, static ELF files), the services init starts
// (etc/exo/services), the configuration the system was built from and the
// package list (with versions).
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Builder } from "../../store/derivation.ts";
import { canonicalJson } from "../../store/hash.ts";
import { packTar, type TarEntry } from "../image/tar.ts";
import { INITRD_FILE } from "./outputs.ts";
import { builderVersion } from "./version.ts";

/** A service init starts: the program bin/<name>, under a sandbox policy; a daemon runs until init stops it. */
export interface Service {
  readonly name: string;
  readonly policy: string;
  readonly daemon: boolean;
}

export interface InitrdArgs {
  readonly config: unknown;
  readonly packages: readonly { readonly name: string; readonly version: string }[];
  /** Every program in bin/: the input `bin:<name>` (a whole store path, so that it stays in the image's closure) and the ELF file inside it. */
  readonly programs: readonly { readonly name: string; readonly file: string }[];
  readonly services: readonly Service[];
  readonly epoch: number;
}

export { INITRD_FILE };

/** Input name of a user program's linked ELF. */
export const programInput = (name: string): string => `bin:${name}`;

/** etc/exo/services: one service a line, `name policy daemon|task`, in start order. */
export function servicesFile(services: readonly Service[]): string {
  const header = "# name policy daemon|task: init starts bin/<name> under the sandbox policy\n";
  return header + services.map((s) => `${s.name} ${s.policy} ${s.daemon ? "daemon" : "task"}\n`).join("");
}

export function initrdBuilder(): Builder {
  return {
    version: builderVersion(import.meta.url),
    async run(ctx) {
      const args = ctx.args as unknown as InitrdArgs;
      const entries: TarEntry[] = [
        { name: "etc/exo/config.json", data: Buffer.from(`${canonicalJson(args.config)}\n`) },
        { name: "etc/exo/packages.json", data: Buffer.from(`${canonicalJson(args.packages)}\n`) },
        { name: "etc/exo/services", data: Buffer.from(servicesFile(args.services)) },
      ];
      for (const { name, file } of args.programs) {
        entries.push({ name: `bin/${name}`, data: await readFile(join(ctx.inputs[programInput(name)]!, file)), mode: 0o755 });
      }
      await writeFile(join(ctx.out, INITRD_FILE), await packTar(entries, args.epoch));
    },
  };
}
