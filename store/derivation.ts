// The build graph: plain, printable data (`exo build --dry-run --json`).
// The store executes it and knows nothing of options or templates.
import type { Json } from "./hash.ts";

export const PLAN_SCHEMA = "exo.plan/v1";

/**
 * An input of a derivation: another derivation's output, or one file or
 * folder inside it; or a path already in the store (an older generation's
 * payload), named by its content hash like any output.
 */
export type DerivationInput =
  | { readonly node: string; readonly path?: string }
  | { readonly storePath: string; readonly path?: string };

export interface Derivation {
  /** Unique within the graph, e.g. `obj:core/main.c`. */
  readonly id: string;
  /** Becomes part of the store path name; [a-z0-9._+-] only. */
  readonly name: string;
  /** Name of a registered builder. */
  readonly builder: string;
  /** Everything besides inputs that can change the output; hashed into the key. */
  readonly args: Json;
  readonly inputs: Readonly<Record<string, DerivationInput>>;
}

export interface BuildGraph {
  readonly schema: typeof PLAN_SCHEMA;
  /** In dependency order: every input appears before the derivation that uses it. */
  readonly derivations: readonly Derivation[];
  /** Id of the derivation whose output is the build's result. */
  readonly output: string;
}

export interface BuildContext {
  /** Empty scratch directory the builder writes its output into. */
  readonly out: string;
  /** Empty scratch directory for intermediate files; removed after the build. */
  readonly tmp: string;
  /** Absolute paths of the realised inputs, by input name. */
  readonly inputs: Readonly<Record<string, string>>;
  readonly args: Json;
  /** Append a line to the derivation's build log. */
  log(line: string): void;
}

export interface Builder {
  /** Changes whenever the builder's code changes; hashed into every key it builds. */
  readonly version: string;
  run(ctx: BuildContext): Promise<void>;
}
