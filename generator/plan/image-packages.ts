// Where the packages of a system go in its initrd, what init starts, and
// the sandbox policy of each: every program at
// /exo/apps/<name>/<version>/bin/<name>, so that two versions of one
// package can sit side by side, with /exo/bin/<name> (and each of its
// manifest's `links`) a link to the chosen one (the highest version
// installed, else the highest the image carries), its data files under
// share/ beside it and in /exo/share/<name>/. A script's interpreter must
// be one of these programs.
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
  /** The input name of its package's store path, and the file inside it (the program, or a data file). */
  readonly key: string;
  readonly file: string;
  /** Where it lies in the initrd, without the leading '/'. */
  readonly path: string;
  /** A program (mode 0755) or a data file (0644). */
  readonly executable: boolean;
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
  const links = binLinks(chosen);
  checkInterpreters(programs, links);
  return {
    programs: programs.flatMap((r) => programFiles(r, chosen.get(r.pkg.manifest.package.name) === r)),
    links: [...links].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, { target }]) => ({ name, target })),
    services: services(installed.filter((r) => r.pkg.manifest.package.kind === "program"), pathOf),
    policies: programs
      .map((r) => ({ name: policyNameOf(r), package: r.pkg.manifest.package.name, capabilities: r.sandbox.capabilities, memoryPages: r.sandbox.memoryPages, read: r.sandbox.read, write: r.sandbox.write, ipc: r.sandbox.ipc }))
      .sort((a, b) => (a.name < b.name ? -1 : 1)),
    listing: resolved
      .map((r) => ({ name: r.pkg.manifest.package.name, version: r.pkg.manifest.package.version, kind: r.pkg.manifest.package.kind, sandbox: r.sandbox }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : semver.compare(a.version, b.version))),
  };
}

/** A program's files in the initrd: the program, and its data under its version's share/ and, for the chosen version, /exo/share/<name>/. */
function programFiles(r: ResolvedPackage, isChosen: boolean): ImageProgram[] {
  const { name, version } = r.pkg.manifest.package;
  const key = packageKey(r.pkg);
  const data = (r.files.data ?? []).flatMap((f) => [
    { key, file: `share/${f.path}`, path: `exo/apps/${name}/${version}/share/${f.path}`, executable: false },
    ...(isChosen ? [{ key, file: `share/${f.path}`, path: `exo/share/${name}/${f.path}`, executable: false }] : []),
  ]);
  return [{ key, file: `bin/${name}`, path: appPath(name, version), executable: true }, ...data];
}

/**
 * /exo/bin: each chosen program under its name and its manifest's `links`, all to the same file. Two
 * packages claiming one name is an error naming both: which one a script ran would otherwise be a guess.
 */
function binLinks(chosen: ReadonlyMap<string, ResolvedPackage>): Map<string, { target: string; owner: ResolvedPackage }> {
  const links = new Map<string, { target: string; owner: ResolvedPackage }>();
  const byName = [...chosen].sort(([a], [b]) => (a < b ? -1 : 1));
  const claim = (name: string, r: ResolvedPackage, target: string) => {
    const other = links.get(name);
    if (other !== undefined && other.owner !== r) {
      const what = (p: ResolvedPackage) => (p.pkg.manifest.package.name === name ? `${packageKey(p.pkg)} (its program)` : `${packageKey(p.pkg)} (its links)`);
      throw new ExoError("ERR_EXO_PACKAGE_INVALID", `/exo/bin/${name} is claimed by two packages: ${what(other.owner)} and ${what(r)}`, `take ${name} out of one package's \`links\`, or install only one of them`);
    }
    links.set(name, { target, owner: r });
  };
  for (const [name, r] of byName) claim(name, r, `../apps/${name}/${r.pkg.manifest.package.version}/bin/${name}`);
  for (const [name, r] of byName) for (const link of r.pkg.manifest.links) claim(link, r, `../apps/${name}/${r.pkg.manifest.package.version}/bin/${name}`);
  return links;
}

/** Each script's interpreter is a program of the image, and not a script itself (the kernel follows one `#!`). */
function checkInterpreters(programs: readonly ResolvedPackage[], links: ReadonlyMap<string, { owner: ResolvedPackage }>): void {
  const provider = new Map<string, ResolvedPackage>();
  for (const [name, { owner }] of links) provider.set(`/exo/bin/${name}`, owner);
  for (const r of programs) provider.set(`/${appPath(r.pkg.manifest.package.name, r.pkg.manifest.package.version)}`, r);
  for (const r of programs) {
    const interpreter = r.files.interpreter;
    if (!interpreter) continue;
    const m = r.pkg.manifest;
    const script = `${displayPath(r.pkg.file)}: ${m.script !== undefined ? `script ${m.script}` : `prebuilt ${r.files.prebuilt?.path ?? ""}`}`;
    const by = provider.get(interpreter.path);
    if (by === undefined) {
      const base = interpreter.path.slice(interpreter.path.lastIndexOf("/") + 1);
      const near = links.has(base) ? `write #!/exo/bin/${base}: programs live in /exo/bin` : `did you mean to install busybox? It provides /exo/bin/sh and its applets (add it to packages.install, or to ${m.package.name}'s dependencies.runtime)`;
      throw new ExoError("ERR_EXO_PACKAGE_INVALID", `${packageKey(r.pkg)}: ${script} runs ${interpreter.path} (its #! line), but no package of the image provides ${interpreter.path}`, near);
    }
    if (by.files.interpreter) {
      throw new ExoError("ERR_EXO_PACKAGE_INVALID", `${packageKey(r.pkg)}: ${script} runs ${interpreter.path}, which is itself a script of ${packageKey(by.pkg)} (#!${by.files.interpreter.path})`, "name a program as the interpreter, such as #!/exo/bin/sh");
    }
  }
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
