// Options of the `packages` namespace: the user programs put into the image.
import { z } from "zod";
import { assertNamesFit, policyReference } from "./limits.ts";
import { option } from "./option.ts";

/** The package set: every program Exo can put into an image (kernel-src/user/programs), with its version; a daemon runs until init stops it. */
export const packageSet = {
  init: { version: "0.1.0", daemon: false, description: "The first user process: starts the others under their sandbox policies." },
  "echo-server": { version: "0.1.0", daemon: true, description: "Answers every Fusion Ring message on channel 0 with the same bytes on channel 1; an IPC demonstration." },
  hello: { version: "0.1.0", daemon: false, description: "Prints a line and exits." },
  "ring-bench": { version: "0.1.0", daemon: false, description: "Measures ring round trips through echo-server from user space." },
} as const;
export type PackageName = keyof typeof packageSet;
const packageNames = Object.keys(packageSet) as [PackageName, ...PackageName[]];
// init keeps each service's name in a field of MAX_NAME + 1 bytes.
assertNamesFit("package name", packageNames);

/** A package of the set by name; undefined for any other string, including Object.prototype's keys. */
export function packageInfo(name: string): (typeof packageSet)[PackageName] | undefined {
  return Object.hasOwn(packageSet, name) ? packageSet[name as PackageName] : undefined;
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
