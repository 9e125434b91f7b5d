// Gather option declarations from every module into one index by path.
import { isAliasDecl, isOptionDecl, isRemovedDecl, type AliasDecl, type OptionDecl, type OptionTree, type RemovedDecl } from "../../schemas/option.ts";
import { ExoError } from "../errors.ts";
import type { Module } from "./module.ts";
import { displayPath } from "./paths.ts";

export interface Declaration {
  readonly path: string;
  readonly decl: OptionDecl;
  /** file:line of the module that declared it. */
  readonly declaredIn: string;
}

/** An old path kept for compatibility (renamed, aliased or removed), with where that was said. */
export type Moved = (AliasDecl | RemovedDecl) & { readonly declaredIn: string };

export interface Declarations {
  readonly options: ReadonlyMap<string, Declaration>;
  /** Every path that is a set of options (`kernel`, `kernel.ipc`, ...), with its child names. */
  readonly namespaces: ReadonlyMap<string, readonly string[]>;
  /** Paths renamed, aliased or removed (mkRenamedOptionModule and friends). */
  readonly moved: ReadonlyMap<string, Moved>;
}

/** `parts` place every module's options below a path: the options of a submodule element. */
export function collectDeclarations(modules: readonly Module[], parts: readonly string[] = []): Declarations {
  const options = new Map<string, Declaration>();
  const moved = new Map<string, Moved>();
  const namespaces = new Map<string, Set<string>>([["", new Set()]]);
  // What each path was first declared as, and where: an error about two kinds names both files.
  const firstAt = new Map<string, string>();
  parts.forEach((name, i) => {
    const parent = parts.slice(0, i).join(".");
    namespaces.get(parent)!.add(name);
    namespaces.set(parts.slice(0, i + 1).join("."), new Set());
  });
  const walk = (tree: OptionTree, prefix: string, module: Module): void => {
    for (const [name, node] of Object.entries(tree)) {
      const path = prefix ? `${prefix}.${name}` : name;
      namespaces.get(prefix)!.add(name);
      const kind = isOptionDecl(node) ? "an option" : isAliasDecl(node) ? "a renamed option" : isRemovedDecl(node) ? "a removed option" : "a set of options";
      const earlier = firstAt.get(path);
      if (earlier && !earlier.startsWith(`${kind} `)) throw declaredAsBoth(path, earlier, `${kind} in ${where(module)}`);
      if (!earlier) firstAt.set(path, `${kind} in ${where(module)}`);
      if (isAliasDecl(node) || isRemovedDecl(node)) {
        moved.set(path, { ...node, declaredIn: where(module) });
        continue;
      }
      if (!isOptionDecl(node)) {
        if (!namespaces.has(path)) namespaces.set(path, new Set());
        walk(node, path, module);
        continue;
      }
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
  for (const module of modules) if (module.options) walk(module.options, parts.join("."), module);
  return { options, moved, namespaces: new Map([...namespaces].map(([k, v]) => [k, [...v].sort()])) };
}

function declaredAsBoth(path: string, first: string, second: string): ExoError {
  return new ExoError(
    "ERR_EXO_OPTION_DECLARED_TWICE",
    `\`${path}\` is declared as two different things:\n  - ${first}\n  - ${second}`,
    "an option cannot also be a set of options: rename one of them, or declare the options inside the set",
  );
}

export function where(module: Module): string {
  return `${displayPath(module.file)}:${module.line}`;
}
