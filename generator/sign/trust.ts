// Trust anchors of the commands that check images (verify, run, sbom):
// the public keys named with --trusted, or else the project's own keys
// (exo.config.ts keys.trusted) together with the machine's system-wide ones
// (/etc/exo/trusted-keys/*.pub). The project is the one `--project` names,
// or the one found from the working folder; but a config found that way is
// never taken (nor run) when the image being checked lies in its own folder
// tree outside any store: a downloaded folder must not bring its own key.
import { readdir, realpath } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { ExoError } from "../errors.ts";
import { displayPath } from "../eval/paths.ts";
import { findProjectConfig, loadProjectFile, type Project, type ProjectOverrides } from "../project/config.ts";
import { loadPublicKey, type PublicKey } from "./keys.ts";

/** Public keys every project on this machine trusts; EXO_SYSTEM_KEYS names another folder. */
export const SYSTEM_KEYS_DIR = "/etc/exo/trusted-keys";

export interface TrustOptions {
  /** --trusted KEY: these keys only. */
  readonly trusted?: readonly string[];
  /** --project DIR: the project whose exo.config.ts is trusted. */
  readonly project?: string;
  /** The image being checked, when it was given as a path. */
  readonly image?: string;
  readonly overrides?: ProjectOverrides;
}

export interface Trust {
  readonly project: Project;
  readonly keys: readonly PublicKey[];
}

export async function loadTrust(opts: TrustOptions): Promise<Trust> {
  const project = await trustedProject(opts);
  if (opts.trusted?.length) return { project, keys: await Promise.all(opts.trusted.map((f) => loadPublicKey(resolve(f)))) };
  const own = await Promise.all(project.trusted.map(loadPublicKey));
  return { project, keys: [...own, ...(await systemKeys())] };
}

/** Keys in the system-wide folder; none when it does not exist. */
async function systemKeys(): Promise<PublicKey[]> {
  const dir = process.env.EXO_SYSTEM_KEYS ?? SYSTEM_KEYS_DIR;
  const names = await readdir(dir).catch(() => [] as string[]);
  return Promise.all(names.filter((n) => n.endsWith(".pub")).sort().map((n) => loadPublicKey(join(dir, n))));
}

async function trustedProject(opts: TrustOptions): Promise<Project> {
  const overrides = opts.overrides ?? {};
  if (opts.project !== undefined) {
    const file = await findProjectConfig(opts.project);
    if (!file || dirname(file) !== resolve(opts.project)) {
      throw new ExoError("ERR_EXO_USAGE", `option --project: ${displayPath(opts.project)} holds no exo.config.ts`, "name the folder of your project's exo.config.ts");
    }
    return loadProjectFile(file, opts.project, overrides);
  }
  const file = await findProjectConfig(process.cwd());
  if (file && opts.image !== undefined && (await insideForeignTree(opts.image, dirname(file)))) {
    if (opts.trusted?.length) return loadProjectFile(undefined, process.cwd(), overrides); // defaults; the config is not run
    throw new ExoError(
      "ERR_EXO_VERIFY",
      `${displayPath(file)} is not trusted to check ${displayPath(opts.image)}: the image lies in that config's own folder tree, and trust never comes from the folder being checked`,
      "run exo from your own project (or pass --project DIR), or name the signer's public key with --trusted KEY",
    );
  }
  return loadProjectFile(file, process.cwd(), overrides);
}

/** True when `image` (its real location) is under `root` but not inside a store (`.../v1/paths/...`) there. */
async function insideForeignTree(image: string, root: string): Promise<boolean> {
  const real = await realpath(image).catch(() => resolve(image));
  const rel = relative(await realpath(root).catch(() => root), real);
  if (rel.startsWith("..") || isAbsolute(rel)) return false;
  return !rel.split(sep).some((part, i, parts) => part === "v1" && parts[i + 1] === "paths");
}
