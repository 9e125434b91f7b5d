// exo sbom IMAGE: print the image's SPDX 2.3 software bill of materials,
// once the image is verified: an SBOM is only as good as the signature
// over it.
import { ExoError } from "../../errors.ts";
import { displayPath } from "../../eval/paths.ts";
import { acceptImage, refusal } from "../../image/accept.ts";
import { SBOM_FILE } from "../../image/sbom.ts";
import { loadTrust } from "../../sign/trust.ts";
import { withTempDir } from "../../temp.ts";
import { defineCommand, expectPositionals } from "../command.ts";
import { freshnessRequestOf, TRUST_HELP, TRUST_OPTIONS, trustOptionsOf } from "../trust-options.ts";

const usage = "sbom IMAGE [--trusted KEY]... [--project DIR] [--system NAME] [--min-version N] [--allow-downgrade]";

export default defineCommand({
  name: "sbom",
  summary: "Print the SPDX 2.3 JSON software bill of materials of a verified image.",
  usage,
  help: ["IMAGE               a result folder, or a .tar, .iso or .raw image", ...TRUST_HELP],
  options: { ...TRUST_OPTIONS },
  async run({ values, positionals }) {
    const [image] = expectPositionals(positionals, ["IMAGE"], usage);
    const request = freshnessRequestOf(values);
    const trust = await loadTrust(trustOptionsOf(values, image!));
    const sbom = await withTempDir("sbom", async (workDir) => {
      const acceptance = await acceptImage(image!, trust, request, { workDir });
      if (!acceptance.ok) {
        throw refusal(acceptance, `refusing to print the SBOM of ${displayPath(image!)}, which failed verification`);
      }
      const { check } = acceptance;
      return check.files?.get(SBOM_FILE) ?? check.formats.map((f) => f.files.get(SBOM_FILE)).find((d) => d !== undefined);
    });
    if (!sbom) throw new ExoError("ERR_EXO_IMAGE_INVALID", `${displayPath(image!)} carries no ${SBOM_FILE}`);
    process.stdout.write(sbom);
    return 0;
  },
});
