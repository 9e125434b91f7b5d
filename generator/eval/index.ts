// Evaluate a profile file together with the base modules.
import { resolve } from "node:path";
import { baseModules } from "../../modules/index.ts";
import { evaluateModules, type Evaluation } from "./evaluate.ts";
import { loadModuleFile } from "./load.ts";

export type { Evaluation, OptionResult, Definition } from "./evaluate.ts";

export async function evaluateProfile(file: string): Promise<Evaluation> {
  const profile = await loadModuleFile(resolve(file));
  return evaluateModules([...baseModules, profile]);
}
