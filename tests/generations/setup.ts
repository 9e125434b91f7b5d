// A temporary project holding copies of the generation fixtures, so that
// records and outputs name them relative to the project.
import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import { fixture, tempProject } from "../helpers/exo.ts";

export async function generationsProject(): Promise<string> {
  const dir = await tempProject();
  for (const name of ["base.yaml", "changed.yaml", "menu.yaml", "menu-changed.yaml"]) await copyFile(fixture(join("generations", name)), join(dir, name));
  return dir;
}
