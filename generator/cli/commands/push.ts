// exo push IMAGE oci://HOST/REPO[:TAG]: send a signed image folder to an
// OCI registry as one artifact (generator/oci/image-artifact.ts). The image
// is checked first as `exo verify` checks it: an unsigned or broken image
// is never published. Prints the tag and the digest; the same image gives
// the same digest in every registry.
import { stat } from "node:fs/promises";
import { displayPath } from "../../eval/paths.ts";
import { ExoError } from "../../errors.ts";
import { refusal } from "../../image/accept.ts";
import { checkImage } from "../../image/read.ts";
import { pushImage } from "../../oci/image-push.ts";
import { formatOciReference, parseOciReference } from "../../oci/reference.ts";
import { Registry } from "../../oci/registry.ts";
import { loadTrust } from "../../sign/trust.ts";
import { withTempDir } from "../../temp.ts";
import { defineCommand } from "../command.ts";
import { JSON_FLAG, TRUST_FLAGS } from "../flags.ts";
import { JSON_SCHEMAS, printJson } from "../json.ts";
import { REGISTRY_FLAGS, registryOptions } from "../registry-flags.ts";
import { trustOptionsOf } from "../trust-options.ts";

export default defineCommand({
  name: "push",
  summary: "Push a signed image to an OCI registry as one artifact, and print its tag and digest.",
  positionals: [
    { name: "IMAGE", description: "a result folder (the link `exo build` leaves), checked as `exo verify` checks it before anything is sent" },
    { name: "TARGET", description: "oci://HOST[:PORT]/REPO[:TAG]; without a tag the image is pushed by digest only" },
  ],
  flags: {
    trusted: TRUST_FLAGS.trusted,
    project: TRUST_FLAGS.project,
    ...REGISTRY_FLAGS,
    ...JSON_FLAG("exo.push/v1"),
  },
  async run({ values, positionals }) {
    const [image, target] = positionals as [string, string];
    const ref = parseOciReference(target, "exo push's TARGET");
    if (ref.digest !== undefined) throw new ExoError("ERR_EXO_USAGE", `exo push's TARGET names a digest (${ref.digest}); an image's digest is computed from it`, "name a tag, oci://HOST/REPO:TAG, or none");
    if (!(await stat(image).catch(() => undefined))?.isDirectory()) {
      throw new ExoError("ERR_EXO_IMAGE_INVALID", `${displayPath(image)} is not an image folder`, "push a result folder made by `exo build`: every format, image.json, its signature and the SBOM go together");
    }
    const trust = await loadTrust(trustOptionsOf(values, image));
    const check = await withTempDir("push", (workDir) => checkImage(image, trust.keys, { workDir }));
    if (!check.ok) throw refusal({ check, freshness: [], ok: false }, `refusing to push ${displayPath(image)}`);
    const registry = await Registry.open(ref, registryOptions(trust.project, ref, values));
    const pushed = await pushImage(registry, image, check, ref.tag).finally(() => registry.close());
    const tagged = ref.tag !== undefined ? formatOciReference({ registry: ref.registry, repository: ref.repository, tag: ref.tag }) : null;
    const pinned = formatOciReference({ registry: ref.registry, repository: ref.repository, digest: pushed.digest });
    if (values.json) {
      printJson({
        schema: JSON_SCHEMAS.push,
        image: displayPath(image),
        reference: tagged,
        pinned,
        tag: ref.tag ?? null,
        digest: pushed.digest,
        system: check.head!.system,
        version: check.head!.version,
        keyId: check.keyId!,
        files: pushed.files,
        bytesSent: pushed.bytesSent,
        blobsSent: pushed.blobsSent,
        blobsSkipped: pushed.blobsSkipped,
        referrers: pushed.referrers,
      });
      return 0;
    }
    process.stderr.write(`pushed ${pushed.files} files of ${check.head!.system} (version ${check.head!.version}, signed by key ${check.keyId}): ${pushed.blobsSent} blobs sent (${pushed.bytesSent} B), ${pushed.blobsSkipped} already in the registry\n`);
    if (tagged) process.stdout.write(`${tagged}\n`);
    process.stdout.write(`${pinned}\n`);
    return 0;
  },
});
