// The trusted public keys: the ones named on the command line, or else the
// set in exo.config.ts.
import { resolve } from "node:path";
import type { Project } from "../project/config.ts";
import { loadPublicKey, type PublicKey } from "./keys.ts";

export async function loadTrustedKeys(project: Project, override: readonly string[] = []): Promise<PublicKey[]> {
  const files = override.length ? override.map((f) => resolve(f)) : project.trusted;
  return Promise.all(files.map(loadPublicKey));
}
