// Builder: the initrd, a deterministic tar of what the kernel loads: the user
// programs (exo/apps/<name>/<version>/bin/<name>, static ELF files, with
// exo/bin/<name> a link to the chosen version), the services init starts
// (etc/exo/services), the configuration the system was built from and the
// package list (with versions and sandboxes).
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Builder } from "../../store/derivation.ts";
import { canonicalJson } from "../../store/hash.ts";
import { packTar, type TarEntry, type TarSymlink } from "../image/tar.ts";
import { INITRD_FILE } from "./outputs.ts";
import { builderVersion } from "./version.ts";

/** A service init starts: a program of the initrd, under a sandbox policy; a daemon runs until init stops it. */
export interface Service {
  readonly name: string;
  readonly policy: string;
  readonly daemon: boolean;
  readonly restart: "no" | "on-failure" | "always";
  /** The program, an absolute path in the initrd. */
  readonly path: string;
}

export interface InitrdArgs {
  readonly config: unknown;
  readonly packages: readonly unknown[];
  /** Every program and data file: the input `bin:<key>` (a whole store path, so that it stays in the image's closure), the file inside it, where it goes, and its mode. */
  readonly programs: readonly { readonly key: string; readonly file: string; readonly path: string; readonly executable: boolean }[];
  /** exo/bin/<name> links, each to a path relative to exo/bin/. */
  readonly links: readonly { readonly name: string; readonly target: string }[];
  readonly services: readonly Service[];
  readonly epoch: number;
}

export { INITRD_FILE };

/** Input name of a user program's linked ELF. */
export const programInput = (name: string): string => `bin:${name}`;

/** etc/exo/services: one service a line, `name policy daemon|task restart path`, in start order. */
export function servicesFile(services: readonly Service[]): string {
  const header = "# name policy daemon|task restart path: init starts the program at path under the sandbox policy\n";
  return header + services.map((s) => `${s.name} ${s.policy} ${s.daemon ? "daemon" : "task"} ${s.restart} ${s.path}\n`).join("");
}

export function initrdBuilder(): Builder {
  return {
    version: builderVersion(import.meta.url),
    async run(ctx) {
      const args = ctx.args as unknown as InitrdArgs;
      const entries: (TarEntry | TarSymlink)[] = [
        { name: "etc/exo/config.json", data: Buffer.from(`${canonicalJson(args.config)}\n`) },
        { name: "etc/exo/packages.json", data: Buffer.from(`${canonicalJson(args.packages)}\n`) },
        { name: "etc/exo/services", data: Buffer.from(servicesFile(args.services)) },
      ];
      for (const { key, file, path, executable } of args.programs) {
        entries.push({ name: path, data: await readFile(join(ctx.inputs[programInput(key)]!, file)), mode: executable ? 0o755 : 0o644 });
      }
      for (const { name, target } of args.links) entries.push({ name: `exo/bin/${name}`, linkTarget: target });
      await writeFile(join(ctx.out, INITRD_FILE), await packTar(entries, args.epoch));
    },
  };
}
