// What evaluation needs of the built-in packages (pkgs/): each one's name,
// version, description and whether it runs a daemon, read from set.json,
// which pkgs/index.ts generates from the manifests.
import { readFileSync } from "node:fs";
import { exoPath } from "../generator/exo-root.ts";

export interface PackageSummary {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly daemon: boolean;
}

export const builtinSet: readonly PackageSummary[] = JSON.parse(readFileSync(exoPath("pkgs", "set.json"), "utf8")) as PackageSummary[];
