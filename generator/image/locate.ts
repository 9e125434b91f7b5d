// Find the bundle an IMAGE argument names: a bundle .tar, or a directory
// that holds one (a store path, or the `result` link).
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { ExoError } from "../errors.ts";
import { displayPath } from "../eval/paths.ts";

export const BUNDLE_NAME = "bundle.tar";

export async function readBundleArg(arg: string): Promise<{ file: string; bytes: Buffer }> {
  const info = await stat(arg).catch(() => undefined);
  if (!info) throw new ExoError("ERR_EXO_IMAGE_INVALID", `image ${arg} does not exist`, "give a bundle .tar, a store path, or the result link of `exo build`");
  const file = info.isDirectory() ? join(arg, BUNDLE_NAME) : arg;
  try {
    return { file, bytes: await readFile(file) };
  } catch {
    throw new ExoError("ERR_EXO_IMAGE_INVALID", `${displayPath(file)} does not exist: ${arg} holds no image bundle`);
  }
}
