// exo sign IMAGE: sign an image that was built with --no-sign (or re-sign
// one with a new key), on the machine that holds the key. Nothing is
// rebuilt: every byte is checked against the manifests, the payload
// manifest is signed and the signature attached (into the bundle and the
// kernel folder, beside the ISO and raw images), and a new image manifest
// (image.json) over the result is signed too.
import { cp, lstat, mkdir, realpath, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve } from "node:path";
import { hashJson } from "../../../store/hash.ts";
import { addIndirectRoot } from "../../../store/roots.ts";
import { Store } from "../../../store/store.ts";
import { setLink } from "../link.ts";
import { ExoError } from "../../errors.ts";
import { displayPath } from "../../eval/paths.ts";
import { writeBundle } from "../../image/bundle.ts";
import { IMAGE_SIGNATURE_FILE, sealImage } from "../../image/image-manifest.ts";
import { MANIFEST_FILE, manifestSchema, SIGNATURE_FILE } from "../../image/manifest.ts";
import { checkImage, FORMAT_FILES, type FormatReport } from "../../image/read.ts";
import { SBOM_FILE } from "../../image/sbom.ts";
import { loadProject } from "../../project/config.ts";
import { loadPublicKey, loadSecretKey, type PublicKey } from "../../sign/keys.ts";
import { signatureBytes, signManifest } from "../../sign/signature.ts";
import { withTempDir } from "../../temp.ts";
import { defineCommand } from "../command.ts";

export default defineCommand({
  name: "sign",
  summary: "Sign an image built with --no-sign, without rebuilding it: check every byte, sign its manifests, attach the signatures.",
  positionals: [{ name: "IMAGE", description: "the image to sign: a result folder (or link), or a .tar bundle" }],
  flags: {
    key: { type: "string", value: "SECRET", description: "the secret key to sign with (default: exo.config.ts keys.secretKey)" },
    output: {
      type: "string",
      value: "DIR",
      description: "where to write the signed image (default: a `result` link into the store is signed in place:\na new store path, the link moved to it; anything else is written to IMAGE's name with -signed)",
    },
  },
  async run({ values, positionals }) {
    const [image] = positionals;
    const project = await loadProject();
    const key = await loadSecretKey(values.key ? resolve(values.key) : project.secretKey);
    const store = new Store(project.store);
    // A link into the store (what exo build leaves) is signed in place: the signed image becomes a store path of its own.
    const inPlace = values.output === undefined ? await storeLinkTarget(image!, store) : undefined;
    const output = inPlace ? join(await store.scratch(), "out") : resolve(values.output ?? `${basename(image!).replace(/\.tar$/, "")}-signed`);
    if (await stat(output).then(() => true, () => false)) throw new ExoError("ERR_EXO_USAGE", `${displayPath(output)} already exists`, "remove it or pass --output");
    // An image signed already may be signed again (a new key) only if a key trusted here signed it: never launder.
    const trusted: PublicKey[] = [...(await Promise.all(project.trusted.map(loadPublicKey))), { algorithm: key.algorithm, keyId: key.keyId, publicKey: key.publicKey, file: "--key" }];

    await withTempDir("sign", async (workDir) => {
      const check = await checkImage(image!, trusted, { workDir, copy: true });
      const unsigned = (p: string) => p.startsWith(`${SIGNATURE_FILE}: missing`) || p.startsWith(`${IMAGE_SIGNATURE_FILE}: missing`);
      const wrong = [...check.problems, ...check.formats.flatMap((f) => f.problems)].filter((p) => !unsigned(p));
      if (wrong.length || check.formats.length === 0) throw new ExoError("ERR_EXO_VERIFY", `refusing to sign ${displayPath(image!)}:\n${wrong.map((p) => `  - ${p}`).join("\n")}`);
      const manifest = check.files?.get(MANIFEST_FILE) ?? check.formats[0]!.files.get(MANIFEST_FILE)!;
      const signature = signatureBytes(signManifest(manifest, key));
      // One file in, one file out: a bundle is complete in itself; an ISO or disk needs the image manifest beside it.
      if ((await stat(image!)).isFile()) {
        const report = check.formats[0]!;
        if (report.format !== "bundle") throw new ExoError("ERR_EXO_USAGE", `${displayPath(image!)}: an ${report.format} image is signed together with its image manifest`, "sign the result folder that holds it");
        await writeFile(output, await signedBundle(report, signature));
        return;
      }
      if (!check.image) throw new ExoError("ERR_EXO_IMAGE_INVALID", `${displayPath(image!)} holds no image manifest`);
      await mkdir(output, { recursive: true });
      await writeFile(join(output, MANIFEST_FILE), manifest);
      await writeFile(join(output, SIGNATURE_FILE), signature);
      const sbom = check.files?.get(SBOM_FILE);
      if (sbom) await writeFile(join(output, SBOM_FILE), sbom);
      for (const report of check.formats) await writeFormat(report, output, signature);
      const parsed = manifestSchema.parse(JSON.parse(Buffer.from(manifest).toString("utf8")));
      await sealImage(output, { manifest: parsed, bytes: manifest }, check.image.generations, key);
    });
    if (inPlace) {
      const name = inPlace.slice(inPlace.indexOf("-") + 1);
      const signed = await store.add(hashJson({ signed: inPlace, keyId: key.keyId }), name, output, []);
      await rm(dirname(output), { recursive: true, force: true });
      await setLink(image!, store.pathOf(signed));
      await addIndirectRoot(store, image!);
      process.stdout.write(`signed ${displayPath(image!)} in place with ${key.algorithm} key ${key.keyId}: ${displayPath(image!)} -> ${displayPath(store.pathOf(signed))}\nnext: exo verify ${displayPath(image!)}, then exo run ${displayPath(image!)}\n`);
      return 0;
    }
    // An image kept inside the project folder is one the project vouches for only when told so (sign/trust.ts).
    const inside = !relative(project.root, output).startsWith("..");
    process.stdout.write(`signed ${displayPath(image!)} with ${key.algorithm} key ${key.keyId}: ${displayPath(output)}\nnext: exo verify ${displayPath(output)}${inside ? " --project ." : ""}\n`);
    return 0;
  },
});

/** One format of the signed image: the bundle re-packed with the signature, the kernel folder with it, ISO and raw as they were. */
async function writeFormat(report: FormatReport, output: string, signature: Uint8Array): Promise<void> {
  const target = join(output, FORMAT_FILES[report.format]);
  if (report.format === "bundle") await writeFile(target, await signedBundle(report, signature));
  else if (report.format === "kernel") {
    for (const [name, data] of [...report.files, [SIGNATURE_FILE, signature] as const]) {
      await mkdir(join(target, name, ".."), { recursive: true });
      await writeFile(join(target, name), data);
    }
  } else await cp(report.copy ?? report.file, target); // the signature stays beside them
}

/** The same bundle with the signature added: the tar is re-packed, no file changes. */
async function signedBundle(report: FormatReport, signature: Uint8Array): Promise<Buffer> {
  const missing = report.manifest!.files.filter((f) => !report.files.has(f.path));
  if (missing.length) throw new ExoError("ERR_EXO_IMAGE_INVALID", `${displayPath(report.file)}: ${missing.map((f) => f.path).join(", ")} too large to re-pack here`);
  const files = new Map([...report.files].filter(([name]) => name !== SIGNATURE_FILE));
  files.set(SIGNATURE_FILE, signature);
  return writeBundle(files, report.manifest!.created);
}

/** The store path a link such as `result` points at, if it is a link into this project's store. */
async function storeLinkTarget(image: string, store: Store): Promise<string | undefined> {
  const info = await lstat(image).catch(() => undefined);
  if (!info?.isSymbolicLink()) return undefined;
  const target = await realpath(image).catch(() => undefined);
  const paths = await realpath(store.dir("paths")).catch(() => undefined);
  return target && paths && dirname(target) === paths ? basename(target) : undefined;
}
