// The flags of every command that talks to a registry (copy, push, pull,
// run); generator/oci/options.ts combines them with exo.config.ts
// `registries`, a flag winning over the project's setting for that host.
export { registryOptions } from "../oci/options.ts";

export const REGISTRY_FLAGS = {
  "ca-file": { type: "string", value: "FILE", description: "trust the CA certificates in this PEM file for the registry's HTTPS, beside the system's (default: exo.config.ts registries[HOST].ca)" },
  "insecure-http": { type: "boolean", description: "allow plain HTTP to a registry off loopback (default: exo.config.ts registries[HOST].insecureHttp)" },
  "auth-file": { type: "string", value: "FILE", description: "registry credentials in this Docker-style auth file (default: $REGISTRY_AUTH_FILE, containers' auth.json, then ~/.docker/config.json)" },
} as const;
