// exo sbom IMAGE: print the image's SPDX 2.3 software bill of materials,
// once the image is verified: an SBOM is only as good as the signature
// over it.
import { ExoError } from "../../errors.ts";
import { displayPath } from "../../eval/paths.ts";
import { acceptImage, refusal } from "../../image/accept.ts";
import { SBOM_FILE } from "../../image/sbom.ts";
import { loadTrust } from "../../sign/trust.ts";
import { withTempDir } from "../../temp.ts";
import { defineCommand } from "../command.ts";
import { TRUST_FLAGS } from "../flags.ts";
import { freshnessRequestOf, trustOptionsOf } from "../trust-options.ts";

export default defineCommand({
  name: "sbom",
  summary: "Print the SPDX 2.3 JSON software bill of materials of a verified image.",
  positionals: [{ name: "IMAGE", description: "a result folder, or a .tar, .iso or .raw image" }],
  flags: { ...TRUST_FLAGS },
  async run({ values, positionals }) {
    const [image] = positionals;
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
