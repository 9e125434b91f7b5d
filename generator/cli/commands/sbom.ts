// exo sbom IMAGE: print the image's SPDX 2.3 software bill of materials.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ExoError } from "../../errors.ts";
import { displayPath } from "../../eval/paths.ts";
import { locateImages, verifyImage } from "../../image/read.ts";
import { SBOM_FILE } from "../../image/sbom.ts";
import { defineCommand, expectPositionals } from "../command.ts";

const usage = "sbom IMAGE";

export default defineCommand({
  name: "sbom",
  summary: "Print the SPDX 2.3 JSON software bill of materials an image carries.",
  usage,
  help: ["IMAGE               a result folder, or a .tar, .iso or .raw image"],
  options: {},
  async run({ positionals }) {
    const [image] = expectPositionals(positionals, ["IMAGE"], usage);
    const top = await readFile(join(image!, SBOM_FILE)).catch(() => undefined);
    if (top) {
      process.stdout.write(top);
      return 0;
    }
    for (const { format, file } of await locateImages(image!)) {
      const sbom = (await verifyImage(format, file, [])).files.get(SBOM_FILE);
      if (sbom) {
        process.stdout.write(sbom);
        return 0;
      }
    }
    throw new ExoError("ERR_EXO_IMAGE_INVALID", `${displayPath(image!)} carries no ${SBOM_FILE}`);
  },
});
