// The machine-owned module of a profile: `<profile>.packages.yaml` beside
// it, which `exo install` and `exo remove` rewrite whole and evaluation
// reads with the profile, as if the profile imported it. The user's own
// files are never edited.
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import { ExoError } from "../errors.ts";
import { displayPath } from "../eval/paths.ts";

export interface InstalledPackages {
  /** Packages added from a folder: attribute → path relative to the profile's folder. */
  readonly set: Readonly<Record<string, { readonly path: string }>>;
  readonly install: readonly string[];
}

export const EMPTY: InstalledPackages = { set: {}, install: [] };

export function installedModuleOf(profile: string): string {
  return join(dirname(profile), `${basename(profile, extname(profile))}.packages.yaml`);
}

/** What the module holds now; an absent file is an empty one. Anything else in it is refused: the file is exo's. */
export async function readInstalled(file: string): Promise<InstalledPackages> {
  const text = await readFile(file, "utf8").catch((e: NodeJS.ErrnoException) => (e.code === "ENOENT" ? undefined : Promise.reject(e)));
  if (text === undefined) return EMPTY;
  const { parse } = await import("yaml");
  const data = parse(text) as { packages?: { set?: Record<string, { path: string }>; install?: string[] } } | null;
  const packages = data?.packages ?? {};
  const keys = Object.keys(data ?? {}).filter((k) => k !== "packages");
  const set = packages.set ?? {};
  if (keys.length || typeof set !== "object" || !Array.isArray(packages.install ?? [])) {
    throw new ExoError("ERR_EXO_PROFILE_INVALID", `${displayPath(file)} is not as exo install wrote it`, "it is exo's own file: move your changes into the profile, delete it, and run exo install again");
  }
  return { set: Object.fromEntries(Object.entries(set).map(([k, v]) => [k, { path: String(v.path) }])), install: (packages.install ?? []).map(String) };
}

/** Write the module whole, atomically; an empty one is removed. */
export async function writeInstalled(file: string, profile: string, packages: InstalledPackages): Promise<void> {
  if (packages.install.length === 0 && Object.keys(packages.set).length === 0) {
    await rm(file, { force: true });
    return;
  }
  // The YAML library loads only here: evaluating a profile reads this file's path, not the library.
  const { stringify } = await import("yaml");
  const sortedSet = Object.fromEntries(Object.entries(packages.set).sort(([a], [b]) => (a < b ? -1 : 1)));
  const body = stringify({ packages: { ...(Object.keys(sortedSet).length ? { set: sortedSet } : {}), install: [...packages.install] } });
  const header = `# Written by \`exo install\` and \`exo remove\` for ${basename(profile)}, and read with it.\n# Change it with those commands: exo rewrites this file whole.\n`;
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, header + body, { flag: "wx" });
  await rename(temp, file);
}
