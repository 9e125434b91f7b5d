// exo gc: delete what no root reaches (result links, generations).
import { collectGarbage } from "../../../store/gc.ts";
import { Store } from "../../../store/store.ts";
import { pruneGenerationRoots } from "../../generations/roots.ts";
import { loadProject } from "../../project/config.ts";
import { defineCommand } from "../command.ts";
import { JSON_FLAG, STORE_FLAG } from "../flags.ts";
import { JSON_SCHEMAS, printJson } from "../json.ts";

export default defineCommand({
  name: "gc",
  summary: "Delete every store path that no root (result link, generation) reaches, and say how much it freed.",
  flags: {
    "dry-run": { type: "boolean", description: "list what would be deleted, delete nothing" },
    ...STORE_FLAG,
    ...JSON_FLAG("exo.gc/v1"),
  },
  async run({ values }) {
    const project = await loadProject(process.cwd(), values.store ? { store: values.store } : {});
    const dryRun = values["dry-run"] === true;
    const store = new Store(project.store);
    const result = await collectGarbage(store, {
      dryRun,
      onWait: () => process.stderr.write("waiting for another exo gc to finish\n"),
      underLock: dryRun ? undefined : () => pruneGenerationRoots(store, project.generations),
    });
    if (values.json) {
      printJson({ schema: JSON_SCHEMAS.gc, dryRun, roots: result.roots, kept: result.kept, deleted: result.deleted, freedBytes: result.freedBytes });
      return 0;
    }
    for (const name of result.deleted) process.stdout.write(`${dryRun ? "would delete" : "deleted"} ${name}\n`);
    const size = `${(result.freedBytes / 1024).toFixed(1)} KiB`;
    process.stdout.write(`${result.roots} roots keep ${result.kept} paths; ${dryRun ? "would free" : "freed"} ${size} in ${result.deleted.length} paths\n`);
    return 0;
  },
});
