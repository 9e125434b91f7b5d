// The package set a command looks in: Exo's own (pkgs/), or with a
// profile, that profile's packages.set (its own folders, overrides and
// all), each package under the name the set gives it.
import { dirname, resolve } from "node:path";
import { builtinPackages } from "../../pkgs/index.ts";
import { evaluateProfile } from "../eval/index.ts";
import type { Project } from "../project/config.ts";
import type { LoadedPackage } from "./manifest.ts";
import { loadPackageSet } from "./set.ts";

export interface Named {
  /** The name a package is looked up by: its own, or its attribute in packages.set. */
  readonly name: string;
  readonly pkg: LoadedPackage;
}

export async function namedSet(profile: string | undefined, project: Pick<Project, "trusted">): Promise<Named[]> {
  if (profile === undefined) return (await builtinPackages()).map((pkg) => ({ name: pkg.manifest.package.name, pkg }));
  const evaluation = await evaluateProfile(profile);
  const { entries } = await loadPackageSet(evaluation.config, { profileDir: dirname(resolve(profile)), trusted: project.trusted });
  return [...entries.values()].map((e) => ({ name: e.attr, pkg: e.pkg }));
}
