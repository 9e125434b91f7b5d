// The public API for profiles, modules and exo.config.ts: a few functions
// whose job is to give editors and tsc the types.
export { defineModule, defineProfile, type Module, type ModuleSpec } from "./eval/module.ts";
export { mkAfter, mkBefore, mkDefault, mkForce, mkIf, mkMerge, mkOptionDefault, mkOrder, mkOverride } from "./eval/markers.ts";
export { option } from "../schemas/option.ts";
export { defineConfig, type ProjectConfig } from "./project/config.ts";
export type { Config, ConfigDefinition } from "../schemas/index.ts";
