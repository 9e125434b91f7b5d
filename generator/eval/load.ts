// Load a profile or module file: TypeScript (its default export, through
// tsx) or YAML (imports plus option values, with line numbers kept).
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { pathToFileURL } from "node:url";
import { ExoError } from "../errors.ts";
import { isModule, type Module } from "./module.ts";
import { displayPath } from "./paths.ts";

export async function loadModuleFile(file: string): Promise<Module> {
  const ext = extname(file);
  let source: string;
  try {
    source = await readFile(file, "utf8");
  } catch {
    throw new ExoError("ERR_EXO_PROFILE_NOT_FOUND", `profile ${displayPath(file)} does not exist`, "give the path of a .ts or .yaml profile, such as profiles/server.ts");
  }
  // The YAML parser loads only for YAML profiles: a .ts profile does not pay for it.
  if (ext === ".yaml" || ext === ".yml") return (await import("./load-yaml.ts")).loadYaml(file, source);
  if (ext === ".ts" || ext === ".mts") return loadTypeScript(file);
  throw new ExoError("ERR_EXO_PROFILE_INVALID", `profile ${displayPath(file)}: unknown file type '${ext}'`, "profiles are .ts or .yaml files");
}

async function loadTypeScript(file: string): Promise<Module> {
  let exported: unknown;
  try {
    exported = ((await import(pathToFileURL(file).href)) as { default?: unknown }).default;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new ExoError("ERR_EXO_PROFILE_INVALID", `profile ${displayPath(file)} could not be loaded: ${message}`);
  }
  if (!isModule(exported)) {
    throw new ExoError(
      "ERR_EXO_PROFILE_INVALID",
      `profile ${displayPath(file)} has no default export made by defineProfile or defineModule`,
      `write: export default defineProfile({ ... })`,
    );
  }
  return exported;
}
