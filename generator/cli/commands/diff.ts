// exo diff A B: what changes from A to B, where each is a generation
// number, a store path (or result link) or a profile (built first).
import { Store } from "../../../store/store.ts";
import { diffSides } from "../../generations/diff.ts";
import { renderDiff } from "../../generations/render.ts";
import { resolveSide } from "../../generations/resolve.ts";
import { setEvalTimeout } from "../../eval/watchdog.ts";
import { loadProject } from "../../project/config.ts";
import { defineCommand, expectPositionals } from "../command.ts";
import { JSON_SCHEMAS, printJson } from "../json.ts";

const usage = "diff A B [--json] [--store DIR] [--generations DIR]";

export default defineCommand({
  name: "diff",
  summary: "Show what changes from A to B (generation numbers, store paths or profiles): options, kernel features, packages, sizes, image files.",
  usage,
  help: [
    "A, B                a generation number; a store path or result link recorded by a generation; or a profile,",
    "                    which is built first (reusing the store) so that sizes and image files compare too",
    "--json              a JSON document (schema exo.diff/v1)",
    "--store DIR         the store (default: exo.config.ts `store`, or $EXO_STORE)",
    "--generations DIR   where generations are recorded (default: exo.config.ts `generations`, or $EXO_GENERATIONS)",
  ],
  options: { json: { type: "boolean" }, store: { type: "string" }, generations: { type: "string" } },
  async run({ values, positionals }) {
    const [a, b] = expectPositionals(positionals, ["A", "B"], usage);
    setEvalTimeout(undefined); // profiles given as sides are built: the same limit as exo build's default
    const project = await loadProject(process.cwd(), { ...(values.store ? { store: values.store } : {}), ...(values.generations ? { generations: values.generations } : {}) });
    const sideA = await resolveSide(project, a!);
    const sideB = await resolveSide(project, b!);
    const diff = await diffSides(new Store(project.store), sideA, sideB);
    if (values.json) {
      const side = (s: typeof sideA) => ({ label: s.label, configHash: s.configHash, storePath: s.storePath });
      printJson({ schema: JSON_SCHEMAS.diff, a: side(sideA), b: side(sideB), ...diff });
      return 0;
    }
    const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
    process.stdout.write(renderDiff(diff, { a: sideA.label, b: sideB.label }, color));
    return 0;
  },
});
