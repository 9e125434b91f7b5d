// exo diff A B: what changes from A to B, where each is a generation
// number, a store path (or result link) or a profile (built first).
import { Store } from "../../../store/store.ts";
import { diffSides } from "../../generations/diff.ts";
import { renderDiff } from "../../generations/render.ts";
import { resolveSide } from "../../generations/resolve.ts";
import { setEvalTimeout } from "../../eval/watchdog.ts";
import { loadProject } from "../../project/config.ts";
import { defineCommand } from "../command.ts";
import { GENERATIONS_FLAG, JSON_FLAG, STORE_FLAG } from "../flags.ts";
import { JSON_SCHEMAS, printJson } from "../json.ts";

export default defineCommand({
  name: "diff",
  summary: "Show what changes from A to B (generation numbers, store paths or profiles): options, kernel features, packages, sizes, image files.",
  positionals: [
    { name: "A", description: "a generation number; a store path or result link recorded by a generation; or a profile,\nwhich is built first (reusing the store) so that sizes and image files compare too" },
    { name: "B", description: "the same, for the other side" },
  ],
  flags: { ...JSON_FLAG("exo.diff/v1"), ...STORE_FLAG, ...GENERATIONS_FLAG },
  async run({ values, positionals }) {
    const [a, b] = positionals;
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
