// Options of the `packages` namespace: the package set (nixpkgs' `pkgs` as
// a module option: Exo's own packages and any a profile adds from a
// folder, each overridable with the usual priorities) and the packages put
// into the image.
import { z } from "zod";
import { assertNamesFit, policyReference } from "./limits.ts";
import { compilerFlag, guestPath, packageName, packagePath, packageVersion } from "./package-fields.ts";
import { option } from "./option.ts";
import { capabilities } from "./sandbox.ts";
import { submodule } from "./types.ts";
import { builtinSet } from "../pkgs/set.ts";

/** `exo:NAME`: the package Exo ships as pkgs/NAME. */
export const BUILTIN_PREFIX = "exo:";

assertNamesFit("package name", builtinSet.map((p) => p.name));

/** The built-in packages by name (a null prototype: no name is Object.prototype's). */
export const builtinPackageSet: Readonly<Record<string, { readonly version: string; readonly description: string }>> = Object.assign(
  Object.create(null) as Record<string, { version: string; description: string }>,
  Object.fromEntries(builtinSet.map(({ name, version, description }) => [name, { version, description }])),
);

const nullable = <T extends z.ZodType>(type: T) => type.nullable();

/** What a profile may change of a package's sandbox; null keeps the manifest's. Granting more than the manifest needs mkForce. */
const sandboxOverrideOptions = {
  capabilities: option({ type: nullable(z.array(z.enum(capabilities))), default: null, description: "Replaces the manifest's `sandbox.capabilities`.", example: ["console"] }),
  memoryPages: option({ type: nullable(z.number().int().min(1).max(1 << 20)), default: null, description: "Replaces the manifest's `sandbox.memoryPages`.", example: 64 }),
  read: option({ type: nullable(z.array(guestPath)), default: null, description: "Replaces the manifest's `sandbox.filesystem.read`.", example: ["/etc/exo"] }),
  write: option({ type: nullable(z.array(guestPath)), default: null, description: "Replaces the manifest's `sandbox.filesystem.write`.", example: [] }),
  ipc: option({ type: nullable(z.array(packageName)), default: null, description: "Replaces the manifest's `sandbox.ipc` (the packages it may exchange messages with).", example: ["echo-server"] }),
};

const packageEntryOptions = {
  path: option({
    type: z.string().min(1).refine((p) => !p.includes("\0"), "a folder path"),
    description: `The folder holding the package's \`.exopkg\` manifest, relative to the profile's folder; \`${BUILTIN_PREFIX}NAME\` is a package Exo ships (pkgs/NAME).`,
    example: "./pkgs/hello",
  }),
  version: option({ type: nullable(packageVersion), default: null, description: "Replaces the manifest's version (with `sources`, to build another release from the same folder).", example: "0.2.0" }),
  sources: option({ type: nullable(z.array(packagePath)), default: null, description: "Replaces the manifest's `sources` (paths inside the package's folder).", example: ["src/main.c"] }),
  cflags: option({ type: z.array(compilerFlag), default: [], description: "Compiler flags added to the manifest's `build.cflags`. Lists from several modules concatenate.", example: ["-DVERBOSE=1"] }),
  sandbox: sandboxOverrideOptions,
};
export const packageEntry = submodule({ options: packageEntryOptions });

export const packagesOptions = {
  set: option({
    type: z.record(packageName, packageEntry),
    default: {},
    description: `The package set, by attribute name: Exo's own packages (\`${BUILTIN_PREFIX}NAME\`) and any a profile adds from a folder. Definitions of one attribute merge option by option, so a profile overrides a package's version, sources, flags or sandbox like nixpkgs' \`override\`.`,
    example: { myapp: { path: "./pkgs/myapp" }, hello: { cflags: ["-DGREETING=1"] } },
  }),
  install: option({
    type: z.array(packageName),
    default: [],
    description: "Packages in the image, by their attribute name in `packages.set`. Lists from several modules concatenate (the base modules add `init`); duplicates are dropped when the image is built.",
    example: ["init", "echo-server"],
  }),
  policies: option({
    type: z.record(packageName, policyReference),
    default: {},
    description: "A sandbox policy (a name in `sandbox.policies`) whose capabilities and memory replace a package's own when init starts it; granting more than its manifest asks needs mkForce. A package not named here runs under its manifest's sandbox.",
    example: { "echo-server": "echo" },
  }),
};
