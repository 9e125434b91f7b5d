// The package set of a configuration (packages.set): each attribute's
// package loaded from its folder (or Exo's own, `exo:NAME`), with the
// profile's overrides applied (version, sources, flags) and its sandbox as
// init will start it. Granting a package more than its manifest asks is a
// warning unless the profile said mkForce.
import { resolve } from "node:path";
import { builtinPackages } from "../../pkgs/index.ts";
import { BUILTIN_PREFIX } from "../../schemas/packages.ts";
import type { Config } from "../../schemas/index.ts";
import { ExoError, ExoErrors } from "../errors.ts";
import { type LoadedPackage, loadPackage } from "./manifest.ts";
import { packageKey } from "./plan.ts";
import { declaredSandbox, effectiveSandbox, type Sandbox, widening } from "./sandbox.ts";

export interface SetEntry {
  /** Its attribute name in packages.set: what packages.install names. */
  readonly attr: string;
  readonly pkg: LoadedPackage;
  readonly sandbox: Sandbox;
}

export interface PackageSet {
  readonly entries: ReadonlyMap<string, SetEntry>;
  /** Sandboxes widened without mkForce, one message each. */
  readonly warnings: readonly string[];
}

export interface SetOptions {
  /** The profile's folder: package paths are relative to it. */
  readonly profileDir: string;
  /** Public keys a published package's signature must verify against. */
  readonly trusted?: readonly string[];
  /** Whether the profile said mkForce at `option` below `keys` (forced.ts); without it, nothing is. */
  readonly forced?: (option: string, keys: readonly string[]) => boolean;
}

type SetConfig = { readonly packages: Pick<Config["packages"], "set" | "policies">; readonly sandbox: Pick<Config["sandbox"], "policies"> };

export async function loadPackageSet(config: SetConfig, opts: SetOptions): Promise<PackageSet> {
  const entries = new Map<string, SetEntry>();
  const warnings: string[] = [];
  const byKey = new Map<string, string>();
  for (const [attr, entry] of Object.entries(config.packages.set).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const pkg = withOverrides(await loadEntry(attr, entry.path, opts), entry);
    const key = packageKey(pkg);
    const twin = byKey.get(key);
    if (twin !== undefined) throw new ExoError("ERR_EXO_PACKAGE_INVALID", `packages.set.${twin} and packages.set.${attr} are both ${key}`, "give one of them another version (packages.set.<name>.version), or remove one");
    byKey.set(key, attr);
    const declared = declaredSandbox(pkg.manifest);
    const policyName = Object.hasOwn(config.packages.policies, attr) ? config.packages.policies[attr] : undefined;
    const policy = policyName !== undefined && Object.hasOwn(config.sandbox.policies, policyName) ? config.sandbox.policies[policyName] : undefined;
    const sandbox = effectiveSandbox(declared, entry.sandbox, policy);
    const forced = (option: string, keys: readonly string[]) => opts.forced?.(option, keys) ?? false;
    for (const { field, what } of widening(declared, sandbox)) {
      const byPolicy = policy !== undefined && (field === "capabilities" || field === "memoryPages");
      const where = byPolicy ? `packages.policies.${attr} ("${policyName}")` : `packages.set.${attr}.sandbox.${field}`;
      if (byPolicy ? forced("packages.policies", [attr]) : forced("packages.set", [attr, "sandbox", field])) continue;
      warnings.push(`${where} widens the sandbox of ${key} beyond its manifest: ${what}; write mkForce(...) to mean it`);
    }
    entries.set(attr, { attr, pkg, sandbox });
  }
  return { entries, warnings };
}

async function loadEntry(attr: string, path: string, opts: SetOptions): Promise<LoadedPackage> {
  if (path.startsWith(BUILTIN_PREFIX)) {
    const name = path.slice(BUILTIN_PREFIX.length);
    const builtin = (await builtinPackages()).find((p) => p.manifest.package.name === name);
    if (!builtin) throw new ExoError("ERR_EXO_PACKAGE_INVALID", `packages.set.${attr}.path is "${path}", but Exo ships no package ${name}`, `Exo's own packages are ${(await builtinPackages()).map((p) => `${BUILTIN_PREFIX}${p.manifest.package.name}`).join(", ")}`);
    return builtin;
  }
  try {
    return await loadPackage(resolve(opts.profileDir, path), { trusted: opts.trusted ?? [] });
  } catch (e) {
    // A single problem (no such folder, no manifest) names the option too; a manifest's own problems name its lines.
    if (e instanceof ExoError && !(e instanceof ExoErrors)) throw new ExoError(e.code, `packages.set.${attr}.path: ${e.message}`, e.hint);
    throw e;
  }
}

/** The manifest as the profile changed it: another version and sources, added compiler flags. */
function withOverrides(pkg: LoadedPackage, entry: Config["packages"]["set"][string]): LoadedPackage {
  const m = pkg.manifest;
  if (entry.version === null && entry.sources === null && entry.cflags.length === 0) return pkg;
  return {
    ...pkg,
    manifest: {
      ...m,
      package: { ...m.package, version: entry.version ?? m.package.version },
      sources: entry.sources ?? m.sources,
      build: { ...m.build, cflags: [...m.build.cflags, ...entry.cflags] },
    },
  };
}
