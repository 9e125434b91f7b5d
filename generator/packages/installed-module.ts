// The machine-owned module of a profile: `<profile>.packages.yaml` beside
// it, which `exo install` and `exo remove` rewrite whole and evaluation
// reads with the profile, as if the profile imported it. The user's own
// files are never edited.
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import { z } from "zod";
import { packageName } from "../../schemas/package-fields.ts";
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

const moduleSchema = z.strictObject({
  packages: z
    .strictObject({
      set: z.record(packageName, z.strictObject({ path: z.string().min(1) })).default({}),
      install: z.array(packageName).default([]),
    })
    .default({ set: {}, install: [] }),
});

/** What the module holds now; an absent file is an empty one. Anything else in it is refused: the file is exo's. */
export async function readInstalled(file: string): Promise<InstalledPackages> {
  const text = await readFile(file, "utf8").catch((e: NodeJS.ErrnoException) => (e.code === "ENOENT" ? undefined : Promise.reject(e)));
  if (text === undefined) return EMPTY;
  const { parse } = await import("yaml");
  let data: unknown;
  try {
    data = parse(text) ?? {};
  } catch {
    data = undefined;
  }
  const parsed = moduleSchema.safeParse(data);
  if (!parsed.success) {
    throw new ExoError("ERR_EXO_PROFILE_INVALID", `${displayPath(file)} is not as exo install wrote it: ${parsed.error.issues[0]?.message ?? "not YAML"}`, "it is exo's own file: move your changes into the profile, delete it, and run exo install again");
  }
  // Own keys only, in a null-prototype record: a name such as "constructor" is an ordinary entry.
  const set = Object.assign(Object.create(null) as Record<string, { path: string }>, Object.fromEntries(Object.entries(parsed.data.packages.set).map(([k, v]) => [k, { path: v.path }])));
  return { set, install: parsed.data.packages.install };
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
