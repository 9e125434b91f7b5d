// exo verify IMAGE [--key PUB]: check each image format against its signed
// manifest: the signature by a trusted key, and every file it carries.
import { ExoError } from "../../errors.ts";
import { displayPath } from "../../eval/paths.ts";
import { detachedSignature, locateImages, verifyImage } from "../../image/read.ts";
import { loadProject } from "../../project/config.ts";
import { loadTrustedKeys } from "../../sign/trust.ts";
import { defineCommand, expectPositionals } from "../command.ts";
import { JSON_SCHEMAS, printJson } from "../json.ts";
import { readFile } from "node:fs/promises";

const usage = "verify IMAGE [--key PUB]... [--signature FILE] [--json]";

export default defineCommand({
  name: "verify",
  summary: "Check an image (a result folder, or a .tar, .iso or .raw file): its signature by a trusted key and every file it carries.",
  usage,
  help: [
    "--key PUB           trust this public key file instead of exo.config.ts keys.trusted (repeatable)",
    "--signature FILE    a detached signature (manifest.sig) for an image signed after it was built",
    "--json              a JSON document (schema exo.verify/v1)",
  ],
  options: { key: { type: "string", multiple: true }, signature: { type: "string" }, json: { type: "boolean" } },
  async run({ values, positionals }) {
    const [image] = expectPositionals(positionals, ["IMAGE"], usage);
    const project = await loadProject();
    const trusted = await loadTrustedKeys(project, values.key ?? []);
    const signature = values.signature ? await readFile(values.signature).catch(() => {
      throw new ExoError("ERR_EXO_USAGE", `signature file ${values.signature} does not exist`);
    }) : await detachedSignature(image!);
    const reports = [];
    for (const { format, file } of await locateImages(image!)) reports.push(await verifyImage(format, file, trusted, signature));
    const ok = reports.every((r) => r.ok);
    if (values.json) {
      printJson({
        schema: JSON_SCHEMAS.verify,
        image: displayPath(image!),
        ok,
        formats: reports.map((r) => ({
          format: r.format,
          file: displayPath(r.file),
          ok: r.ok,
          keyId: r.keyId ?? null,
          algorithm: r.algorithm ?? null,
          system: r.manifest?.system ?? null,
          configHash: r.manifest?.configHash ?? null,
          files: r.manifest?.files.length ?? 0,
          problems: r.problems,
        })),
      });
      return ok ? 0 : 1;
    }
    if (!ok) {
      const lines = reports.filter((r) => !r.ok).flatMap((r) => r.problems.map((p) => `  - ${r.format} (${displayPath(r.file)}): ${p}`));
      throw new ExoError("ERR_EXO_VERIFY", `${displayPath(image!)} failed verification:\n${lines.join("\n")}`);
    }
    for (const r of reports) {
      process.stdout.write(`${displayPath(r.file)}: ok, signed by key ${r.keyId} (${r.algorithm}), ${r.files.size} files match the manifest (system ${r.manifest!.system}, config ${r.manifest!.configHash})\n`);
    }
    return 0;
  },
});
