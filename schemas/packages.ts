// Options of the `packages` namespace: the user programs put into the image.
import { z } from "zod";
import { option } from "./option.ts";

/** The package set: every program Exo can put into an image, with its version. */
export const packageSet = {
  init: { version: "0.1.0", description: "The first user process: starts the others under their sandbox policies." },
  "echo-server": { version: "0.1.0", description: "Answers every Fusion Ring message with the same bytes; an IPC demonstration." },
  hello: { version: "0.1.0", description: "Prints a line and exits." },
  "ring-bench": { version: "0.1.0", description: "Measures ring round trips from user space." },
} as const;
export type PackageName = keyof typeof packageSet;
const packageNames = Object.keys(packageSet) as [PackageName, ...PackageName[]];

export const packagesOptions = {
  install: option({
    type: z.array(z.enum(packageNames)),
    default: [],
    description: "Packages in the image, from the package set. Lists from several modules concatenate (the base modules add `init`); duplicates are dropped when the image is built.",
    example: ["init", "echo-server"],
  }),
};
