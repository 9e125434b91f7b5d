// What a generation remembers of its evaluation: the config, every option's
// value with the file:line of the definitions that set it, and the banner.
import { featureList } from "../../kernel-src/features.ts";
import type { ResolvedPackage } from "../packages/resolve.ts";
import { sandboxSummary } from "../packages/sandbox.ts";
import type { Evaluation } from "../eval/index.ts";
import { isAbsolute, relative } from "node:path";
import { EXO_ROOT } from "../exo-root.ts";
import type { OptionRecord } from "./record.ts";

export interface Snapshot {
  readonly config: unknown;
  readonly options: Readonly<Record<string, OptionRecord>>;
  readonly banner: string;
  /** Package name → version (versions, space-separated, when the image carries several) of every package it is built from. */
  readonly packages: Readonly<Record<string, string>>;
  /** Package name → its sandbox in one line; absent in records made before it existed. */
  readonly sandboxes?: Readonly<Record<string, string>>;
}

/** File paths are kept relative to `root` (the project), so records hold no absolute paths of it. */
export function snapshotOf(evaluation: Evaluation, root: string, resolved: readonly ResolvedPackage[]): Snapshot {
  const options: Record<string, OptionRecord> = {};
  for (const [path, result] of evaluation.options) {
    const winning = result.definitions.filter((d) => d.active && d.priority === result.priority);
    options[path] = {
      value: result.value === undefined ? null : result.value,
      definedIn: winning.map((d) => (d.line > 0 ? `${portablePath(d.file, root)}:${d.line}` : portablePath(d.file, root))),
    };
  }
  const byName = new Map<string, ResolvedPackage[]>();
  for (const r of resolved) byName.set(r.pkg.manifest.package.name, [...(byName.get(r.pkg.manifest.package.name) ?? []), r]);
  const names = [...byName.keys()].sort();
  const versions = (name: string) => byName.get(name)!.map((r) => r.pkg.manifest.package.version).sort();
  const packages = Object.fromEntries(names.map((name) => [name, versions(name).join(" ")]));
  const sandboxes = Object.fromEntries(names.map((name) => [name, byName.get(name)!.sort((a, b) => (a.pkg.manifest.package.version < b.pkg.manifest.package.version ? -1 : 1)).map((r) => sandboxSummary(r.sandbox)).join(" | ")]));
  return { config: evaluation.config, options, banner: bannerOf(evaluation.config), packages, sandboxes };
}



/**
 * A file as a record keeps it: relative to the project when inside it,
 * `<exo>/...` for Exo's own modules, so records and JSON outputs name no
 * absolute path of this machine; other files stay absolute.
 */
export function portablePath(file: string, root: string): string {
  const inside = (base: string): string | undefined => {
    const rel = relative(base, file);
    return isAbsolute(file) && rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : undefined;
  };
  const inProject = inside(root);
  if (inProject !== undefined) return inProject;
  const inExo = inside(EXO_ROOT);
  return inExo !== undefined ? `<exo>/${inExo}` : file;
}

export function bannerOf(config: Evaluation["config"]): string {
  return `${config.system.name} (${config.system.arch}): features ${featureList(config.kernel).join(" ")}`;
}
