// exo verify IMAGE [--key PUB]: check an image's signature and every file's hash.
import { ExoError } from "../../errors.ts";
import { displayPath } from "../../eval/paths.ts";
import { verifyBundle } from "../../image/bundle.ts";
import { readBundleArg } from "../../image/locate.ts";
import { loadProject } from "../../project/config.ts";
import { loadTrustedKeys } from "../../sign/trust.ts";
import { defineCommand, expectPositionals } from "../command.ts";
import { JSON_SCHEMAS, printJson } from "../json.ts";

const usage = "verify IMAGE [--key PUB]... [--json]";

export default defineCommand({
  name: "verify",
  summary: "Check an image bundle: its ML-DSA signature by a trusted key, every file's SHA-256 and size, and its canonical form.",
  usage,
  help: [
    "--key PUB           trust this public key file instead of exo.config.ts keys.trusted (repeatable)",
    "--json              print a JSON document (schema exo.verify/v1)",
  ],
  options: { key: { type: "string", multiple: true }, json: { type: "boolean" } },
  async run({ values, positionals }) {
    const [image] = expectPositionals(positionals, ["IMAGE"], usage);
    const project = await loadProject();
    const trusted = await loadTrustedKeys(project, values.key ?? []);
    const { file, bytes } = await readBundleArg(image!);
    const report = await verifyBundle(bytes, trusted);
    if (values.json) {
      printJson({
        schema: JSON_SCHEMAS.verify,
        image: displayPath(file),
        ok: report.ok,
        keyId: report.keyId ?? null,
        system: report.manifest?.system ?? null,
        configHash: report.manifest?.configHash ?? null,
        files: report.manifest?.files.length ?? 0,
        problems: report.problems,
      });
      return report.ok ? 0 : 1;
    }
    if (!report.ok) {
      throw new ExoError("ERR_EXO_VERIFY", `${displayPath(file)} failed verification:\n${report.problems.map((p) => `  - ${p}`).join("\n")}`);
    }
    process.stdout.write(`${displayPath(file)}: ok, signed by key ${report.keyId}, ${report.manifest!.files.length} files match the manifest (system ${report.manifest!.system}, config ${report.manifest!.configHash})\n`);
    return 0;
  },
});
