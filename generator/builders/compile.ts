// Builder: compile one generated C or assembly file to an object with
// clang. The file is compiled from a private copy of the tree at the same
// relative path, so no absolute path can reach the object.
import { cp, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Builder } from "../../store/derivation.ts";
import type { Tool } from "../toolchain.ts";
import { runTool } from "./exec.ts";
import { builderVersion } from "./version.ts";

export interface CompileArgs {
  /** Path of the source inside the generated tree, e.g. `core/main.c`. */
  readonly file: string;
  /** The template under kernel-src/ that wrote the file, for error messages. */
  readonly template: string;
  readonly includeDir: string;
  readonly target: string;
  readonly flags: readonly string[];
}

export function compileBuilder(clang: Tool): Builder {
  return {
    version: builderVersion(import.meta.url, { clang: clang.version, sha256: clang.sha256 }),
    async run(ctx) {
      const args = ctx.args as unknown as CompileArgs;
      // Recreate the part of the generated tree this file needs: itself and the headers it includes.
      for (const [name, from] of Object.entries(ctx.inputs)) {
        const rel = name === "source" ? args.file : name.slice("header:".length);
        await mkdir(dirname(join(ctx.tmp, rel)), { recursive: true });
        await cp(from, join(ctx.tmp, rel));
      }
      await mkdir(join(ctx.tmp, args.includeDir), { recursive: true });
      const argv = [`--target=${args.target}`, ...args.flags, "-I", args.includeDir, "-c", args.file, "-o", join(ctx.out, "object.o")];
      await runTool(clang, argv, {
        cwd: ctx.tmp,
        what: `clang on generated file ${args.file}`,
        hint: `the generated file is ${ctx.inputs.source}, written by the template kernel-src/${args.template}`,
        log: ctx.log,
      });
    },
  };
}
