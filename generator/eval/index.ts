// Evaluate a profile file together with the base modules.
import { resolve } from "node:path";
import { baseModules } from "../../modules/index.ts";
import { evaluateModules, type Evaluation } from "./evaluate.ts";
import { loadModuleFile } from "./load.ts";
import type { Module } from "./module.ts";
import { watchEvaluation } from "./watchdog.ts";

export type { Evaluation, OptionResult, Definition } from "./evaluate.ts";
export { setEvalTimeout } from "./watchdog.ts";

/** Evaluate a profile; `extra` modules (from the command line) are evaluated with it. Within the limit setEvalTimeout armed, if any. */
export async function evaluateProfile(file: string, extra: readonly Module[] = []): Promise<Evaluation> {
  const stop = watchEvaluation(resolve(file));
  try {
    const profile = await loadModuleFile(resolve(file));
    return await evaluateModules([...baseModules, profile, ...extra]);
  } finally {
    stop();
  }
}
