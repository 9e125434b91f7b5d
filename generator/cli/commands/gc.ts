// exo gc: delete what no root reaches (result links, generations).
import { collectGarbage } from "../../../store/gc.ts";
import { Store } from "../../../store/store.ts";
import { pruneGenerationRoots } from "../../generations/roots.ts";
import { loadProject } from "../../project/config.ts";
import { defineCommand, expectPositionals } from "../command.ts";
import { JSON_SCHEMAS, printJson } from "../json.ts";

const usage = "gc [--dry-run] [--store DIR] [--json]";

export default defineCommand({
  name: "gc",
  summary: "Delete every store path that no root (result link, generation) reaches, and say how much it freed.",
  usage,
  help: [
    "--dry-run           list what would be deleted, delete nothing",
    "--store DIR         the store (default: exo.config.ts `store`, or $EXO_STORE)",
    "--json              a JSON document (schema exo.gc/v1)",
  ],
  options: { "dry-run": { type: "boolean" }, store: { type: "string" }, json: { type: "boolean" } },
  async run({ values, positionals }) {
    expectPositionals(positionals, [], usage);
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
