// Builder: link objects with ld.lld and a generated linker script: the kernel,
// or one user program.
import { cp } from "node:fs/promises";
import { join } from "node:path";
import type { Builder } from "../../store/derivation.ts";
import type { Tool } from "../toolchain.ts";
import { runTool } from "./exec.ts";
import { builderVersion } from "./version.ts";

export interface LinkArgs {
  readonly ldflags: readonly string[];
  /** Input names of the objects, in link order. */
  readonly objects: readonly string[];
  /** Name of the linked file in the output: KERNEL_FILE, or a user program's name. */
  readonly output: string;
  /** What is linked, for error messages: "the kernel", "user program init". */
  readonly what: string;
}

export { KERNEL_FILE } from "./outputs.ts";

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
      const argv = [...args.ldflags, "-T", "linker.ld", "-o", args.output, ...objects];
      await runTool(lld, argv, { cwd: ctx.tmp, what: `ld.lld linking ${args.what}`, log: ctx.log });
      await cp(join(ctx.tmp, args.output), join(ctx.out, args.output));
    },
  };
}
