// exo verify IMAGE: check an image before anything uses it: the signature
// over its image manifest by a trusted key, every container's bytes, every
// file inside, and its freshness (system, version, expiry).
import { displayPath } from "../../eval/paths.ts";
import { acceptImage, refusal } from "../../image/accept.ts";
import { loadTrust } from "../../sign/trust.ts";
import { withTempDir } from "../../temp.ts";
import { defineCommand } from "../command.ts";
import { JSON_FLAG, TRUST_FLAGS } from "../flags.ts";
import { JSON_SCHEMAS, printJson } from "../json.ts";
import { freshnessRequestOf, trustOptionsOf } from "../trust-options.ts";

export default defineCommand({
  name: "verify",
  summary: "Check an image (a result folder, or a .tar, .iso or .raw file): its signature by a trusted key, every byte of every format, and its freshness.",
  positionals: [{ name: "IMAGE", description: "a result folder, or a .tar, .iso or .raw image" }],
  flags: {
    ...TRUST_FLAGS,
    key: { type: "string", value: "PUB", multiple: true, description: "the same as --trusted" },
    ...JSON_FLAG("exo.verify/v1"),
  },
  async run({ values, positionals }) {
    const [image] = positionals;
    const request = freshnessRequestOf(values);
    const trust = await loadTrust(trustOptionsOf(values, image!, values.key ?? []));
    const acceptance = await withTempDir("verify", (workDir) => acceptImage(image!, trust, request, { workDir }));
    const { check, freshness, ok } = acceptance;
    const problems = [...check.problems, ...freshness.map((f) => f.message)];
    if (values.json) {
      const head = check.head;
      printJson({
        schema: JSON_SCHEMAS.verify,
        image: displayPath(image!),
        ok,
        keyId: check.keyId ?? null,
        algorithm: check.algorithm ?? null,
        system: head?.system ?? null,
        version: head?.version ?? null,
        created: head?.created ?? null,
        expires: head?.expires ?? null,
        problems,
        formats: check.formats.map((r) => ({
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
      throw refusal(acceptance, `${displayPath(image!)} failed verification`);
    }
    const head = check.head!;
    const expiry = head.expires === null ? "" : `, expires ${new Date(head.expires * 1000).toISOString()}`;
    process.stdout.write(`${displayPath(image!)}: signed by key ${check.keyId} (${check.algorithm}): system ${head.system}, version ${head.version}${expiry}\n`);
    for (const r of check.formats) {
      // The same count as --json's `files`: the files the payload manifest lists that this format carries.
      process.stdout.write(`${displayPath(r.file)}: ok, ${r.manifest!.files.length} files match the manifest (config ${r.manifest!.configHash})\n`);
    }
    return 0;
  },
});
