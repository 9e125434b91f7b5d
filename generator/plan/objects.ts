// One compile derivation per generated C or assembly file of a source tree,
// each taking exactly the headers its file includes, so that a change
// recompiles only the files whose text (or headers) changed.
import type { ArchToolchain, GeneratedFile } from "../../kernel-src/input.ts";
import type { Derivation } from "../../store/derivation.ts";
import type { Json } from "../../store/hash.ts";
import type { CompileArgs } from "../builders/compile.ts";
import { includedHeaders } from "./includes.ts";

/** Id of the derivation that compiles `path` of a tree whose ids start with `prefix`. */
export const objectId = (prefix: string, path: string): string => `${prefix}${path}`;

export interface Tree {
  readonly files: readonly GeneratedFile[];
  readonly toolchain: ArchToolchain;
  /** Id of the derivation that writes the tree. */
  readonly sources: string;
  /** Start of each compile derivation's id ("obj:") and of its store name. */
  readonly idPrefix: string;
  readonly namePrefix: string;
}

/** Compile derivations for the C and assembly files of a tree (all of them, or those in `only`). */
export function compileDerivations({ files, toolchain, sources, idPrefix, namePrefix }: Tree, only?: ReadonlySet<string>): Derivation[] {
  const out: Derivation[] = [];
  for (const file of files) {
    const isAsm = file.path.endsWith(".S");
    if (!isAsm && !file.path.endsWith(".c")) continue;
    if (only !== undefined && !only.has(file.path)) continue;
    const args: CompileArgs = {
      file: file.path,
      template: file.template,
      includeDir: toolchain.includeDir,
      target: toolchain.target,
      flags: isAsm ? toolchain.asflags : toolchain.cflags,
    };
    out.push({
      id: objectId(idPrefix, file.path),
      name: `${namePrefix}${file.path.replace(/[^a-zA-Z0-9._+-]/g, "-")}.o`,
      builder: "compile",
      args: args as unknown as Json,
      inputs: {
        source: { node: sources, path: file.path },
        ...Object.fromEntries(includedHeaders(file, files, toolchain.includeDir).map((h) => [`header:${h}`, { node: sources, path: h }])),
      },
    });
  }
  return out;
}
