// Where the packages of a system go in its initrd, what init starts, and
// the sandbox policy of each: every program at
// /exo/apps/<name>/<version>/bin/<name>, so that two versions of one
// package can sit side by side, with /exo/bin/<name> a link to the chosen
// one (the highest version installed, else the highest the image carries).
import semver from "semver";
import type { PackagePolicy } from "../../kernel-src/input.ts";
import type { Config } from "../../schemas/index.ts";
import { MAX_NAME } from "../../schemas/limits.ts";
import type { Service } from "../builders/initrd.ts";
import { ExoError } from "../errors.ts";
import { displayPath } from "../eval/paths.ts";
import { packageKey } from "../packages/plan.ts";
import type { ResolvedPackage } from "../packages/resolve.ts";

export interface ImageProgram {
  /** The input name of its package's store path, and the ELF inside it. */
  readonly key: string;
  readonly file: string;
  /** Where it lies in the initrd, without the leading '/'. */
  readonly path: string;
}

export interface ImagePackages {
  readonly programs: readonly ImageProgram[];
  /** exo/bin/<name> → the chosen version's program, relative to exo/bin/. */
  readonly links: readonly { readonly name: string; readonly target: string }[];
  readonly services: readonly Service[];
  readonly policies: readonly PackagePolicy[];
  /** etc/exo/packages.json: every package the image is built from, with its sandbox. */
  readonly listing: readonly { readonly name: string; readonly version: string; readonly kind: string; readonly sandbox: ResolvedPackage["sandbox"] }[];
}

export const appPath = (name: string, version: string): string => `exo/apps/${name}/${version}/bin/${name}`;
export const policyNameOf = (r: ResolvedPackage): string => packageKey(r.pkg);

export function imagePackages(config: Config, resolved: readonly ResolvedPackage[], installed: readonly ResolvedPackage[]): ImagePackages {
  for (const r of resolved) refuseUngrantable(config, r);
  const programs = resolved.filter((r) => r.pkg.manifest.package.kind === "program");
  const chosen = new Map<string, ResolvedPackage>();
  const installedKeys = new Set(installed.map((r) => packageKey(r.pkg)));
  // Installed beats carried; then the higher version.
  const rank = (r: ResolvedPackage) => [installedKeys.has(packageKey(r.pkg)) ? 1 : 0, r.pkg.manifest.package.version] as const;
  for (const r of programs) {
    const name = r.pkg.manifest.package.name;
    const other = chosen.get(name);
    const [ri, rv] = rank(r);
    if (!other || ri > rank(other)[0] || (ri === rank(other)[0] && semver.gt(rv, rank(other)[1]))) chosen.set(name, r);
  }
  const pathOf = (r: ResolvedPackage) => {
    const { name, version } = r.pkg.manifest.package;
    return chosen.get(name) === r ? `/exo/bin/${name}` : `/${appPath(name, version)}`;
  };
  return {
    programs: programs.map((r) => ({ key: packageKey(r.pkg), file: `bin/${r.pkg.manifest.package.name}`, path: appPath(r.pkg.manifest.package.name, r.pkg.manifest.package.version) })),
    links: [...chosen].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, r]) => ({ name, target: `../apps/${name}/${r.pkg.manifest.package.version}/bin/${name}` })),
    services: services(installed.filter((r) => r.pkg.manifest.package.kind === "program"), pathOf),
    policies: programs
      .map((r) => ({ name: policyNameOf(r), package: r.pkg.manifest.package.name, capabilities: r.sandbox.capabilities, memoryPages: r.sandbox.memoryPages, read: r.sandbox.read, write: r.sandbox.write, ipc: r.sandbox.ipc }))
      .sort((a, b) => (a.name < b.name ? -1 : 1)),
    listing: resolved
      .map((r) => ({ name: r.pkg.manifest.package.name, version: r.pkg.manifest.package.version, kind: r.pkg.manifest.package.kind, sandbox: r.sandbox }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : semver.compare(a.version, b.version))),
  };
}

/**
 * What init starts, in install order: each service of each installed program, under its package's own
 * policy. A service of a version that is not the one /exo/bin/<name> points at is named `<service>@<version>`,
 * so that two installed versions both run, and are told apart.
 */
function services(installed: readonly ResolvedPackage[], pathOf: (r: ResolvedPackage) => string): Service[] {
  const seen = new Map<string, string>();
  return installed.flatMap((r) =>
    r.pkg.manifest.services.map((s) => {
      const key = packageKey(r.pkg);
      const path = pathOf(r);
      const name = path.startsWith("/exo/bin/") ? s.name : `${s.name}@${r.pkg.manifest.package.version}`;
      const twin = seen.get(name);
      if (twin !== undefined) throw new ExoError("ERR_EXO_PACKAGE_INVALID", `${twin} and ${key} both declare a service named ${name}: init starts each name once`, "install one of them, or rename one's service");
      if (name.length > MAX_NAME) throw new ExoError("ERR_EXO_PACKAGE_INVALID", `the service ${s.name} of ${key}, beside another version, would be named ${name}: longer than ${MAX_NAME} characters`, "use a shorter service name or version");
      seen.set(name, key);
      return { name, policy: policyNameOf(r), daemon: s.daemon, restart: s.restart, path };
    }),
  );
}

/** A sandbox the kernel cannot grant is an error before anything is built. */
function refuseUngrantable(config: Config, r: ResolvedPackage): void {
  const key = packageKey(r.pkg);
  if (r.sandbox.capabilities.includes("ipc") && !config.kernel.ipc.enable) {
    throw new ExoError("ERR_EXO_PACKAGE_INVALID", `${key} needs the "ipc" capability (its sandbox), but kernel.ipc.enable is false`, `set kernel.ipc.enable = true, or leave ${r.pkg.manifest.package.name} out of packages.install`);
  }
  if (r.pkg.manifest.sandbox.network) {
    throw new ExoError("ERR_EXO_PACKAGE_INVALID", `${displayPath(r.pkg.file)}: sandbox.network is true, but Exo's kernel has no network yet`, "set sandbox.network: false");
  }
}
