// How to reach one registry: exo.config.ts `registries[host]` merged with
// the command's flags (--ca-file, --insecure-http, --auth-file), flags
// winning. A build's substituters use the project's settings alone.
import { resolve } from "node:path";
import type { Project, RegistrySettings } from "../project/config.ts";
import type { OciReference } from "./reference.ts";
import type { RegistryOptions } from "./registry.ts";

export interface RegistryFlagValues {
  readonly "ca-file"?: string;
  readonly "insecure-http"?: boolean;
  readonly "auth-file"?: string;
}

/** Options for one registry: exo.config.ts `registries[host]` merged with the flags (flags win). */
export function registryOptions(project: Pick<Project, "registries">, ref: Pick<OciReference, "registry">, values: RegistryFlagValues): RegistryOptions {
  const settings = settingsFor(project.registries, ref.registry);
  const caFile = values["ca-file"] !== undefined ? resolve(values["ca-file"]) : settings?.caFile;
  const insecureHttp = values["insecure-http"] === true || settings?.insecureHttp === true;
  const authFile = values["auth-file"] !== undefined ? resolve(values["auth-file"]) : undefined;
  return { ...(caFile !== undefined ? { caFile } : {}), ...(insecureHttp ? { insecureHttp } : {}), ...(authFile !== undefined ? { authFile } : {}) };
}

/** The settings for a host[:port]; host names compare without case, as DNS does. */
function settingsFor(registries: Readonly<Record<string, RegistrySettings>>, registry: string): RegistrySettings | undefined {
  const wanted = registry.toLowerCase();
  for (const [host, settings] of Object.entries(registries)) if (host.toLowerCase() === wanted) return settings;
  return undefined;
}
