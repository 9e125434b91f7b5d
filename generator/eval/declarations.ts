// Gather option declarations from every module into one index by path.
import { isOptionDecl, type OptionDecl, type OptionTree } from "../../schemas/option.ts";
import { ExoError } from "../errors.ts";
import type { Module } from "./module.ts";
import { displayPath } from "./paths.ts";

export interface Declaration {
  readonly path: string;
  readonly decl: OptionDecl;
  /** file:line of the module that declared it. */
  readonly declaredIn: string;
}

export interface Declarations {
  readonly options: ReadonlyMap<string, Declaration>;
  /** Every path that is a set of options (`kernel`, `kernel.ipc`, ...), with its child names. */
  readonly namespaces: ReadonlyMap<string, readonly string[]>;
}

export function collectDeclarations(modules: readonly Module[]): Declarations {
  const options = new Map<string, Declaration>();
  const namespaces = new Map<string, Set<string>>([["", new Set()]]);
  const walk = (tree: OptionTree, prefix: string, module: Module): void => {
    for (const [name, node] of Object.entries(tree)) {
      const path = prefix ? `${prefix}.${name}` : name;
      namespaces.get(prefix)!.add(name);
      if (!isOptionDecl(node)) {
        if (options.has(path)) throw declaredAsBoth(path, options.get(path)!.declaredIn, module);
        if (!namespaces.has(path)) namespaces.set(path, new Set());
        walk(node, path, module);
        continue;
      }
      if (namespaces.has(path)) throw declaredAsBoth(path, "another module", module);
      const previous = options.get(path);
      if (previous && previous.decl !== node) {
        throw new ExoError(
          "ERR_EXO_OPTION_DECLARED_TWICE",
          `option \`${path}\` is declared twice:\n  - in ${previous.declaredIn}\n  - in ${where(module)}`,
          "declare each option in one module; other modules only define values for it",
        );
      }
      if (!previous) options.set(path, { path, decl: node, declaredIn: where(module) });
    }
  };
  for (const module of modules) if (module.options) walk(module.options, "", module);
  return { options, namespaces: new Map([...namespaces].map(([k, v]) => [k, [...v].sort()])) };
}

function declaredAsBoth(path: string, other: string, module: Module): ExoError {
  return new ExoError("ERR_EXO_OPTION_DECLARED_TWICE", `\`${path}\` is declared both as an option (or set of options) in ${other} and differently in ${where(module)}`);
}

export function where(module: Module): string {
  return `${displayPath(module.file)}:${module.line}`;
}
