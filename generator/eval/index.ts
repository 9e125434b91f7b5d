// Evaluate a profile file together with the base modules.
import { access } from "node:fs/promises";
import { resolve } from "node:path";
import { installedModuleOf } from "../packages/installed-module.ts";
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
    // The packages `exo install` added: read with the profile, as if it imported them.
    const installed = installedModuleOf(resolve(file));
    const machine = (await exists(installed)) ? [await loadModuleFile(installed)] : [];
    return await evaluateModules([...baseModules, profile, ...machine, ...extra]);
  } finally {
    stop();
  }
}

const exists = (file: string) => access(file).then(() => true, () => false);
