// exo copy --to|--from oci://HOST/REPO PATH...: move store paths and their
// closures between the store and an OCI binary cache, as `nix copy` does.
// Pushed paths are signed with the project's key; fetched ones are checked
// against the keys trusted for that cache.
import { resolve } from "node:path";
import { Store } from "../../../store/store.ts";
import { CacheFetcher } from "../../cache/fetch.ts";
import { pushClosure } from "../../cache/push.ts";
import { STORE_PATH_NAME } from "../../cache/records.ts";
import { ExoError } from "../../errors.ts";
import { formatOciReference, parseOciReference } from "../../oci/reference.ts";
import { Registry } from "../../oci/registry.ts";
import { loadProject, type Project } from "../../project/config.ts";
import { loadPublicKey, loadSecretKey } from "../../sign/keys.ts";
import { defineCommand } from "../command.ts";
import { JSON_FLAG, STORE_FLAG } from "../flags.ts";
import { JSON_SCHEMAS, printJson } from "../json.ts";
import { REGISTRY_FLAGS, registryOptions } from "../registry-flags.ts";
import { storePathName } from "../store-path.ts";

export default defineCommand({
  name: "copy",
  summary: "Push store paths and their closures to an OCI binary cache (--to), or fetch them from one (--from).",
  positionals: [{ name: "PATH", variadic: true, description: "--to: store paths or links to them (result); --from: store path names (<hash>-<name>)" }],
  flags: {
    to: { type: "string", value: "oci://HOST/REPO", description: "the cache to push to; paths are signed with exo.config.ts keys.secretKey" },
    from: { type: "string", value: "oci://HOST/REPO", description: "the cache to fetch from; records must be signed by a trusted key" },
    trusted: { type: "string", value: "KEY", multiple: true, description: "--from: trust this public key file (repeatable); default: the keys of the matching exo.config.ts substituter, else keys.trusted" },
    ...REGISTRY_FLAGS,
    ...STORE_FLAG,
    ...JSON_FLAG(JSON_SCHEMAS.copy),
  },
  async run({ values, positionals, usageError }) {
    if ((values.to === undefined) === (values.from === undefined)) throw usageError("give exactly one of --to and --from");
    if (positionals.length === 0) throw usageError("name at least one PATH");
    const url = (values.to ?? values.from)!;
    const ref = parseOciReference(url, values.to ? "--to" : "--from");
    if (ref.tag !== undefined || ref.digest !== undefined) throw usageError(`${url}: a cache is a repository (oci://HOST/REPO), without :TAG or @DIGEST`);
    if (values.from) {
      for (const name of positionals) {
        if (!STORE_PATH_NAME.test(name)) throw usageError(`--from takes store path names such as 0123…-kernel; '${name}' is not one`);
      }
    }
    const project = await loadProject(process.cwd(), values.store ? { store: values.store } : {});
    const store = new Store(project.store);
    await store.init();
    const registry = await Registry.open(ref, registryOptions(project, ref, values));
    const cache = formatOciReference(ref);
    try {
      const summary = values.to ? await pushTo(store, registry, cache, positionals, project, values.json === true) : await fetchFrom(store, registry, cache, positionals, trustedFor(project, cache, values.trusted), values.json === true);
      if (values.json) printJson({ schema: JSON_SCHEMAS.copy, ...summary });
      return 0;
    } finally {
      registry.close();
    }
  },
});

async function pushTo(store: Store, registry: Registry, cache: string, targets: readonly string[], project: Project, quiet: boolean) {
  const names = await Promise.all(targets.map((p) => storePathName(store, p)));
  const key = await loadSecretKey(project.secretKey);
  const summary = await pushClosure(store, registry, names, key, { onPath: (path, sent) => quiet || process.stderr.write(`${sent ? "pushed" : "present"} ${path}\n`) });
  if (!quiet) process.stdout.write(`${cache}: ${summary.pathsSent.length} of ${summary.paths} paths sent (${summary.bytesSent} B), ${summary.keysSent} of ${summary.keys} derivation keys\n`);
  return { direction: "to", cache, paths: summary.paths, pathsSent: summary.pathsSent, keys: summary.keys, keysSent: summary.keysSent, bytesSent: summary.bytesSent };
}

async function fetchFrom(store: Store, registry: Registry, cache: string, names: readonly string[], keyFiles: readonly string[], quiet: boolean) {
  const trusted = await Promise.all(keyFiles.map(loadPublicKey));
  const fetcher = new CacheFetcher(store);
  let bytes = 0;
  for (const name of names) {
    bytes += await fetcher.path({ url: cache, registry, trusted }, name);
    if (!quiet) process.stderr.write(`fetched ${name}\n`);
  }
  if (!quiet) process.stdout.write(`${cache}: ${names.length} paths and their closures present (${bytes} B downloaded)\n`);
  return { direction: "from", cache, paths: names.length, bytesReceived: bytes };
}

/** --trusted, else the keys exo.config.ts trusts for this cache, else the project's own. */
function trustedFor(project: Project, url: string, flags: readonly string[] | undefined): readonly string[] {
  if (flags?.length) return flags.map((f) => resolve(f));
  const substituter = project.substituters.find((s) => formatOciReference(parseOciReference(s.url, "exo.config.ts substituters[].url")) === url);
  const keys = substituter?.trusted ?? project.trusted;
  if (keys.length === 0) throw new ExoError("ERR_EXO_KEY", `no key is trusted for ${url}`, "pass --trusted KEY, or list the cache under exo.config.ts substituters with its keys");
  return keys;
}
