// Builder: link the kernel's objects with ld.lld and the generated linker script.
import { execFile } from "node:child_process";
import { cp } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Builder } from "../../store/derivation.ts";
import { ExoError } from "../errors.ts";
import type { Tool } from "../toolchain.ts";
import { builderVersion } from "./version.ts";

const run = promisify(execFile);

export interface LinkArgs {
  readonly ldflags: readonly string[];
  /** Input names of the objects, in link order. */
  readonly objects: readonly string[];
}

export const KERNEL_FILE = "kernel.elf";

export function linkBuilder(lld: Tool): Builder {
  return {
    version: builderVersion(import.meta.url, { lld: lld.version, sha256: lld.sha256 }),
    async run(ctx) {
      const args = ctx.args as unknown as LinkArgs;
      // Copy inputs under short relative names: the linker never sees an absolute path.
      await cp(ctx.inputs.linkerScript!, join(ctx.tmp, "linker.ld"));
      const objects: string[] = [];
      for (const name of args.objects) {
        await cp(join(ctx.inputs[name]!, "object.o"), join(ctx.tmp, `${name}.o`));
        objects.push(`${name}.o`);
      }
      const argv = [...args.ldflags, "-T", "linker.ld", "-o", KERNEL_FILE, ...objects];
      ctx.log(`ld.lld ${argv.join(" ")}`);
      try {
        await run(lld.path, argv, { cwd: ctx.tmp });
      } catch (e) {
        throw new ExoError("ERR_EXO_BUILD_FAILED", `ld.lld failed linking the kernel:\n${((e as { stderr?: string }).stderr ?? String(e)).trim()}`);
      }
      await cp(join(ctx.tmp, KERNEL_FILE), join(ctx.out, KERNEL_FILE));
    },
  };
}
