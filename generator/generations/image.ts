// `exo run --generation N`: the image a generation recorded, as a path that
// `exo run` then verifies and boots like any other image.
import { ExoError } from "../errors.ts";
import { loadProject } from "../project/config.ts";
import { Store } from "../../store/store.ts";
import { readRecord } from "./record.ts";
import { parseGenerationNumber } from "./switch.ts";

export async function generationImage(number: string, positionals: readonly string[], store: string | undefined): Promise<string> {
  if (positionals.length > 0) throw new ExoError("ERR_EXO_USAGE", `--generation N boots a recorded image and takes no PROFILE or IMAGE, got '${positionals[0]}'`);
  const project = await loadProject(process.cwd(), store ? { store } : {});
  const record = await readRecord(project.generations, parseGenerationNumber(number));
  const path = new Store(project.store).pathOf(record.storePath);
  if (!(await new Store(project.store).isValid(record.storePath))) {
    throw new ExoError("ERR_EXO_GENERATION", `generation ${record.number}'s image ${record.storePath} is not in the store`, "build its profile again with `exo switch`");
  }
  return path;
}
