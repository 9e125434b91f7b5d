// Turn an `exo diff` argument into a side to compare: a generation number,
// a store path (or a `result` link to one), or a profile, which is built
// (reusing the store) so that sizes and image files can be compared too.
import { readFile, realpath } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import { buildProfile } from "../build.ts";
import { ExoError } from "../errors.ts";
import { displayPath } from "../eval/paths.ts";
import { MANIFEST_FILE } from "../image/manifest.ts";
import type { Project } from "../project/config.ts";
import { Store } from "../../store/store.ts";
import type { Side } from "./diff.ts";
import { listRecords, readRecord } from "./record.ts";
import { snapshotOf } from "./snapshot.ts";

const PROFILE_EXTENSIONS = new Set([".ts", ".mts", ".yaml", ".yml"]);

export async function resolveSide(project: Project, arg: string): Promise<Side> {
  if (/^\d+$/.test(arg)) {
    const r = await readRecord(project.generations, Number(arg));
    return { label: `generation ${r.number}`, snapshot: r, configHash: r.configHash, storePath: r.storePath };
  }
  if (PROFILE_EXTENSIONS.has(extname(arg))) {
    const result = await buildProfile(arg, project);
    return { label: displayPath(arg), snapshot: snapshotOf(result.evaluation, project.root, result.packages), configHash: result.evaluation.hash, storePath: basename(result.outPath) };
  }
  return storePathSide(project, arg);
}

/** A store path carries no options of its own: they come from a generation that recorded the same image or config. */
async function storePathSide(project: Project, arg: string): Promise<Side> {
  const store = new Store(project.store);
  const real = await realpath(arg).catch(() => undefined);
  if (!real || dirname(real) !== store.dir("paths")) {
    throw new ExoError("ERR_EXO_USAGE", `'${arg}' is neither a generation number, a profile (.ts, .yaml) nor a store path of ${displayPath(store.root)}`, "give a generation number (`exo generations`), a profile file, or a result link");
  }
  const name = basename(real);
  const manifest = JSON.parse(await readFile(join(real, MANIFEST_FILE), "utf8").catch(() => "{}")) as { configHash?: string };
  const record = (await listRecords(project.generations)).find((r) => r.storePath === name || r.configHash === manifest.configHash);
  if (!record) {
    throw new ExoError("ERR_EXO_GENERATION", `store path ${name} is not recorded by any generation, so its options are unknown`, "compare the profile it was built from instead, or record it with `exo switch PROFILE`");
  }
  return { label: name, snapshot: record, configHash: record.configHash, storePath: name };
}
