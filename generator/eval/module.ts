// Modules: the unit of configuration. A module imports other modules,
// declares options (trees from schemas/) and defines values for them.
// Each module remembers the file and line it was defined at, so that every
// error can name where a definition came from.
import { fileURLToPath } from "node:url";
import type { Config, ConfigDefinition } from "../../schemas/index.ts";
import type { OptionTree } from "../../schemas/option.ts";

/** A module, or the path of a profile/module file relative to the importing file. */
export type ModuleRef = Module | string;

/** What a module's functions receive: the final configuration. */
export interface ModuleArgs {
  readonly config: Config;
}

export interface Assertion {
  readonly assertion: boolean;
  /** Names the options involved, e.g. "kernel.ipc.ringSlots must be ...". */
  readonly message: string;
  /**
   * The option paths whose values the assertion is about (a map entry may be
   * named, e.g. `packages.policies.web`): a failure names the file:line of the
   * user's definitions of them, not only the module that asserts.
   */
  readonly options?: readonly string[];
  /** What to do about it. */
  readonly hint?: string;
}

export interface ModuleSpec {
  readonly imports?: readonly ModuleRef[];
  readonly options?: OptionTree;
  /**
   * Definitions, or a function of the final config that returns them. The
   * function is called once; a read of an option that the same module
   * defines is reported with the chain of options, so put such reads in a
   * lazy place instead: mkIf((config) => ..., ...) or `(config) => value`.
   */
  readonly config?: ConfigDefinition | ((args: ModuleArgs) => ConfigDefinition);
  /** Checked on the final config; any false assertion stops evaluation with its message. */
  readonly assertions?: (args: ModuleArgs) => readonly Assertion[];
  /** Messages printed on every evaluation of a config they apply to. */
  readonly warnings?: (args: ModuleArgs) => readonly string[];
}

export interface Module extends ModuleSpec {
  readonly kind: "module";
  /** Absolute path of the file that defined the module. */
  readonly file: string;
  /** Line of the definition (1-based); 0 where unknown. */
  readonly line: number;
  /** Lines of individual definitions by option path, where the source format gives them (YAML). */
  readonly lines?: ReadonlyMap<string, number>;
}

export function defineModule(spec: ModuleSpec): Module {
  return { kind: "module", ...spec, ...callSite() };
}

/** A whole system: a module that is evaluated together with Exo's base modules. */
export const defineProfile = defineModule;

export function isModule(value: unknown): value is Module {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "module";
}

/** The file and line of the code that called defineModule/defineProfile. */
function callSite(): { file: string; line: number } {
  const frames = (new Error().stack ?? "").split("\n").slice(1);
  const self = fileURLToPath(import.meta.url);
  for (const frame of frames) {
    const match = /\(?((?:file:\/\/)?\/[^():]+):(\d+):\d+\)?$/.exec(frame.trim());
    if (!match) continue;
    const file = match[1]!.startsWith("file://") ? fileURLToPath(match[1]!) : match[1]!;
    if (file === self) continue;
    return { file, line: Number(match[2]) };
  }
  return { file: "<unknown>", line: 0 };
}
