// Evaluate a profile file together with the base modules.
import { resolve } from "node:path";
import { baseModules } from "../../modules/index.ts";
import { evaluateModules, type Evaluation } from "./evaluate.ts";
import { loadModuleFile } from "./load.ts";
import type { Module } from "./module.ts";

export type { Evaluation, OptionResult, Definition } from "./evaluate.ts";

/** Evaluate a profile; `extra` modules (from the command line) are evaluated with it. */
export async function evaluateProfile(file: string, extra: readonly Module[] = []): Promise<Evaluation> {
  const profile = await loadModuleFile(resolve(file));
  return evaluateModules([...baseModules, profile, ...extra]);
}
