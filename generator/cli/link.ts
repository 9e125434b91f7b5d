// The `result` link that exo build leaves, as nix-build does.
import { lstat, rename, symlink, unlink } from "node:fs/promises";
import { ExoError } from "../errors.ts";
import { displayPath } from "../eval/paths.ts";

/** Point `link` at `target`, replacing an old link atomically; never replace a real file. */
export async function setLink(link: string, target: string): Promise<void> {
  const existing = await lstat(link).catch(() => undefined);
  if (existing && !existing.isSymbolicLink()) {
    throw new ExoError("ERR_EXO_USAGE", `${displayPath(link)} exists and is not a link; refusing to replace it`, "pass --out-link NAME or --no-link");
  }
  const tmp = `${link}.${process.pid}.tmp`;
  await unlink(tmp).catch(() => undefined);
  await symlink(target, tmp);
  await rename(tmp, link);
}
