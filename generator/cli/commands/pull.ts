// exo pull oci://HOST/REPO:TAG|@sha256:...: fetch an image that `exo push`
// sent, verify it with this project's trusted keys before it becomes
// visible, add it to the store and link it as ./result, as `exo build`
// does. Prints the digest and the store path.
import { resolve } from "node:path";
import { displayPath } from "../../eval/paths.ts";
import { pullImage } from "../../oci/image-pull.ts";
import { parseOciReference } from "../../oci/reference.ts";
import { loadTrust } from "../../sign/trust.ts";
import { addIndirectRoot } from "../../../store/roots.ts";
import { Store } from "../../../store/store.ts";
import { defineCommand } from "../command.ts";
import { JSON_FLAG, STORE_FLAG, TRUST_FLAGS } from "../flags.ts";
import { JSON_SCHEMAS, printJson } from "../json.ts";
import { setLink } from "../link.ts";
import { REGISTRY_FLAGS, registryOptions } from "../registry-flags.ts";
import { freshnessRequestOf, trustOptionsOf } from "../trust-options.ts";

export default defineCommand({
  name: "pull",
  summary: "Fetch an image from an OCI registry, verify it with the project's trusted keys, add it to the store and link it as ./result.",
  positionals: [{ name: "IMAGE", description: "oci://HOST[:PORT]/REPO:TAG (the tag latest when none is named) or oci://HOST[:PORT]/REPO@sha256:HEX" }],
  flags: {
    "out-link": { type: "string", value: "NAME", description: "name of the link to the image (default: result)" },
    "no-link": { type: "boolean", description: "do not create a link; the image stays in the store until the next gc" },
    ...STORE_FLAG,
    ...TRUST_FLAGS,
    ...REGISTRY_FLAGS,
    ...JSON_FLAG("exo.pull/v1"),
  },
  async run({ values, positionals, usageError }) {
    const ref = parseOciReference(positionals[0]!, "exo pull's IMAGE");
    if (values["no-link"] && values["out-link"] !== undefined) throw usageError("--out-link and --no-link exclude each other");
    // Trust comes from this project (or --trusted), never from anything the registry sent.
    const trust = await loadTrust({ ...trustOptionsOf(values, undefined), overrides: values.store ? { store: values.store } : {} });
    const store = new Store(trust.project.store);
    const pulled = await pullImage(ref, { registry: registryOptions(trust.project, ref, values), trust, request: freshnessRequestOf(values), store });
    const link = values["no-link"] ? null : resolve(values["out-link"] ?? "result");
    if (link) {
      await setLink(link, pulled.path);
      if (!(await addIndirectRoot(store, link))) process.stderr.write(`warning: the store ${displayPath(trust.project.store)} is read-only: ${displayPath(link)} is not registered as a GC root\n`);
    }
    const { check } = pulled.acceptance;
    if (values.json) {
      printJson({
        schema: JSON_SCHEMAS.pull,
        reference: positionals[0],
        pinned: pulled.pinned,
        digest: pulled.digest,
        path: displayPath(pulled.path),
        link: link === null ? null : displayPath(link),
        system: check.head!.system,
        version: check.head!.version,
        keyId: check.keyId!,
        algorithm: check.algorithm!,
        files: pulled.files,
        reused: pulled.reused,
        bytesReceived: pulled.bytesReceived,
      });
      return 0;
    }
    const how = pulled.reused ? "already in the store" : `${pulled.files} files, ${pulled.bytesReceived} B received`;
    process.stderr.write(`verified: signed by key ${check.keyId} (${check.algorithm}): system ${check.head!.system}, version ${check.head!.version}; ${how}\n`);
    process.stdout.write(`${pulled.pinned}\n${displayPath(pulled.path)}\n`);
    return 0;
  },
});
