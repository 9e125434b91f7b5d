// `exo install` and `exo remove`: change a profile's packages by rewriting
// its machine-owned module (installed-module.ts), then show what changed in
// the system: options and packages, as `exo diff` shows them. The module is
// written only once the changed profile evaluates and its packages resolve.
import { readFile, rm, writeFile } from "node:fs/promises";
import { dirname, relative, resolve, sep } from "node:path";
import { ExoError } from "../errors.ts";
import { evaluateProfile } from "../eval/index.ts";
import { displayPath } from "../eval/paths.ts";
import { suggest } from "../eval/suggest.ts";
import { diffOptions, diffPackages } from "../generations/diff.ts";
import { renderDiff } from "../generations/render.ts";
import { snapshotOf } from "../generations/snapshot.ts";
import type { Project } from "../project/config.ts";
import { forcedIn } from "./forced.ts";
import { installedModuleOf, type InstalledPackages, readInstalled, writeInstalled } from "./installed-module.ts";
import { loadPackage } from "./manifest.ts";
import { systemPackages } from "./resolve.ts";

/** `arg` is a folder when it names one (it has a '/' or starts with '.'); otherwise a name in the set. */
const isPath = (arg: string) => arg.includes("/") || arg.startsWith(".");

export async function installPackage(profile: string, arg: string, project: Project): Promise<string> {
  const file = installedModuleOf(resolve(profile));
  const now = await readInstalled(file);
  let attr = arg;
  let set = now.set;
  if (isPath(arg)) {
    const pkg = await loadPackage(resolve(arg), { trusted: project.trusted });
    attr = pkg.manifest.package.name;
    const rel = relative(dirname(resolve(profile)), pkg.dir).split(sep).join("/");
    set = { ...now.set, [attr]: { path: rel.startsWith(".") ? rel : `./${rel}` } };
  } else {
    const { config } = await evaluateProfile(profile);
    if (!Object.hasOwn(config.packages.set, arg)) {
      const near = suggest(arg, Object.keys(config.packages.set));
      throw new ExoError("ERR_EXO_PACKAGE_NOT_FOUND", `${displayPath(profile)}: packages.set has no package named '${arg}'`, near.length ? `did you mean ${near.map((n) => `\`${n}\``).join(" or ")}?` : "give a package folder (./path/to/pkg), or `exo search` for the set");
    }
  }
  return change(profile, file, { set, install: now.install.includes(attr) ? now.install : [...now.install, attr] }, project);
}

export async function removePackage(profile: string, name: string, project: Project): Promise<string> {
  const file = installedModuleOf(resolve(profile));
  const now = await readInstalled(file);
  if (!now.install.includes(name)) {
    const near = suggest(name, now.install);
    throw new ExoError("ERR_EXO_PACKAGE_NOT_FOUND", `${displayPath(profile)}: exo install did not add '${name}' (${now.install.length ? `it added ${now.install.join(", ")}` : "it added nothing"})`, near.length ? `did you mean ${near.map((n) => `\`${n}\``).join(" or ")}?` : "packages the profile lists itself are removed by editing the profile");
  }
  const set = Object.fromEntries(Object.entries(now.set).filter(([k]) => k !== name));
  return change(profile, file, { set, install: now.install.filter((n) => n !== name) }, project);
}

/** Write `next`, evaluate and resolve the changed profile (putting the old file back if that fails), and render what changed. */
async function change(profile: string, file: string, next: InstalledPackages, project: Project): Promise<string> {
  const old = await snapshot(profile, project);
  const previous = await readFile(file, "utf8").catch(() => undefined);
  await writeInstalled(file, profile, next);
  try {
    const now = await snapshot(profile, project);
    const diff = { options: diffOptions(old, now), features: { on: [], off: [] }, packages: diffPackages(old, now), closureSize: { old: 0, new: 0 }, imageSize: { old: 0, new: 0 }, imageFiles: [] };
    return renderDiff(diff, { a: `${displayPath(profile)} before`, b: `${displayPath(profile)} with ${displayPath(file)}` }, false, false);
  } catch (e) {
    // Nothing half-done: the module is as it was.
    if (previous === undefined) await rm(file, { force: true });
    else await writeFile(file, previous);
    throw e;
  }
}

async function snapshot(profile: string, project: Project) {
  const evaluation = await evaluateProfile(profile);
  const { packages } = await systemPackages(evaluation.config, { profileDir: dirname(resolve(profile)), trusted: project.trusted, forced: forcedIn(evaluation) });
  return snapshotOf(evaluation, project.root, packages);
}
