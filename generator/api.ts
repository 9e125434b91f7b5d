// The public API for profiles, modules and exo.config.ts: a few functions
// whose job is to give editors and tsc the types.
export { defineModule, defineProfile, type Module, type ModuleSpec } from "./eval/module.ts";
// Types of modules with options of their own: what a module with extra options X reads and defines.
export type { ConfigOf, DefinitionFor, ModuleArgs, OptionInfo, OptionsOf } from "./eval/module.ts";
export { mkAfter, mkBefore, mkDefault, mkForce, mkIf, mkMerge, mkOptionDefault, mkOrder, mkOverride } from "./eval/markers.ts";
export { option } from "../schemas/option.ts";
export { defineConfig, type ProjectConfig } from "./project/config.ts";
export type { Config, ConfigDefinition } from "../schemas/index.ts";
export { submodule, separatedString, lines, commas, type SubmoduleSpec, type ElementArgs } from "../schemas/types.ts";
export { mkRenamedOptionModule, mkAliasOptionModule, mkRemovedOptionModule } from "./eval/evolution.ts";
export { definePackage, type PackageDefinition } from "./packages/define.ts";
export type { ManifestInput } from "../schemas/manifest.ts";
