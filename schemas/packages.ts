// Options of the `packages` namespace: the user programs put into the image.
import { z } from "zod";
import { builtinSet } from "../pkgs/set.ts";
import { assertNamesFit, policyReference } from "./limits.ts";
import { option } from "./option.ts";

/** What the option schemas need of a package of the set: its version and description, and whether a service of it is a daemon. */
export interface PackageInfo {
  readonly version: string;
  readonly description: string;
  readonly daemon: boolean;
}

/** The package set: every package of pkgs/, by name (a null prototype: no name is Object.prototype's). */
export const packageSet: Readonly<Record<string, PackageInfo>> = Object.assign(
  Object.create(null) as Record<string, PackageInfo>,
  Object.fromEntries(
    builtinSet.map(({ name, version, description, daemon }) => [name, { version, description, daemon }]),
  ),
);
export type PackageName = string;
const packageNames = Object.keys(packageSet) as [PackageName, ...PackageName[]];
// init keeps each service's name in a field of MAX_NAME + 1 bytes.
assertNamesFit("package name", packageNames);

/** A package of the set by name; undefined for any other string, including Object.prototype's keys. */
export function packageInfo(name: string): PackageInfo | undefined {
  return Object.hasOwn(packageSet, name) ? packageSet[name] : undefined;
}

export const packagesOptions = {
  install: option({
    type: z.array(z.enum(packageNames)),
    default: [],
    description: "Packages in the image, from the package set. Lists from several modules concatenate (the base modules add `init`); duplicates are dropped when the image is built.",
    example: ["init", "echo-server"],
  }),
  policies: option({
    type: z.partialRecord(z.enum(packageNames), policyReference),
    default: {},
    description: "The sandbox policy (a name in `sandbox.policies`) each package runs under when init starts it; a package not named here runs under `sandbox.defaultPolicy`.",
    example: { "echo-server": "echo" },
  }),
};
