// exo sign IMAGE: sign an image that was built with --no-sign (or re-sign
// one with a new key), on the machine that holds the key. Nothing is
// rebuilt: the files are checked against the manifest, the manifest is
// signed, and the signature is attached: into the bundle and the kernel
// folder, and beside the ISO and raw images (detached).
import { cp, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { ExoError } from "../../errors.ts";
import { displayPath } from "../../eval/paths.ts";
import { writeBundle } from "../../image/bundle.ts";
import { MANIFEST_FILE, SIGNATURE_FILE } from "../../image/manifest.ts";
import { FORMAT_FILES, locateImages, verifyImage } from "../../image/read.ts";
import { SBOM_FILE } from "../../image/sbom.ts";
import { unpackTar } from "../../image/tar.ts";
import { loadProject } from "../../project/config.ts";
import { loadSecretKey } from "../../sign/keys.ts";
import { signatureBytes, signManifest } from "../../sign/signature.ts";
import { defineCommand, expectPositionals } from "../command.ts";

const usage = "sign IMAGE [--key SECRET] [--output DIR]";

export default defineCommand({
  name: "sign",
  summary: "Sign an image built with --no-sign, without rebuilding it: check its files, sign its manifest, attach the signature.",
  usage,
  help: [
    "--key SECRET        the secret key to sign with (default: exo.config.ts keys.secretKey)",
    "--output DIR        where to write the signed image (default: IMAGE's name with -signed, in the current folder)",
  ],
  options: { key: { type: "string" }, output: { type: "string" } },
  async run({ values, positionals }) {
    const [image] = expectPositionals(positionals, ["IMAGE"], usage);
    const project = await loadProject();
    const key = await loadSecretKey(values.key ? resolve(values.key) : project.secretKey);
    const output = resolve(values.output ?? `${basename(image!).replace(/\.tar$/, "")}-signed`);
    if (await stat(output).then(() => true, () => false)) throw new ExoError("ERR_EXO_USAGE", `${displayPath(output)} already exists`, "remove it or pass --output");

    let manifest: Uint8Array | undefined;
    const formats = await locateImages(image!);
    for (const { format, file } of formats) {
      // Sign only what matches its manifest: a signature vouches for these exact files.
      const report = await verifyImage(format, file, []);
      const wrong = report.problems.filter((p) => !p.startsWith(`${SIGNATURE_FILE}:`));
      if (wrong.length) throw new ExoError("ERR_EXO_VERIFY", `refusing to sign ${displayPath(file)}:\n${wrong.map((p) => `  - ${p}`).join("\n")}`);
      const own = report.files.get(MANIFEST_FILE)!;
      if (manifest && Buffer.compare(Buffer.from(manifest), Buffer.from(own)) !== 0) throw new ExoError("ERR_EXO_VERIFY", `${displayPath(image!)}: its formats carry different manifests`);
      manifest = own;
    }
    const signature = signatureBytes(signManifest(manifest!, key));

    const single = formats.length === 1 && formats[0]!.file === image;
    if (single && formats[0]!.format === "bundle") {
      await writeFile(output, await signedBundle(formats[0]!.file, signature));
    } else {
      await mkdir(output, { recursive: true });
      await writeFile(join(output, MANIFEST_FILE), manifest!);
      await writeFile(join(output, SIGNATURE_FILE), signature);
      if (!single) await cp(join(image!, SBOM_FILE), join(output, SBOM_FILE)).catch(() => undefined);
      for (const { format, file } of formats) {
        const target = join(output, FORMAT_FILES[format]);
        if (format === "bundle") await writeFile(target, await signedBundle(file, signature));
        else if (format === "kernel") {
          await cp(file, target, { recursive: true });
          await writeFile(join(target, SIGNATURE_FILE), signature);
        } else await cp(file, target); // iso and raw: the signature stays beside them
      }
    }
    process.stdout.write(`signed ${displayPath(image!)} with ${key.algorithm} key ${key.keyId}: ${displayPath(output)}\n`);
    return 0;
  },
});

/** The same bundle with the signature added: the tar is re-packed, no file changes. */
async function signedBundle(file: string, signature: Uint8Array): Promise<Buffer> {
  const { entries, mtimeSeconds } = await unpackTar(await readFile(file));
  const files = new Map(entries.filter((e) => e.name !== SIGNATURE_FILE).map((e) => [e.name, e.data] as const));
  files.set(SIGNATURE_FILE, signature);
  return writeBundle(files, mtimeSeconds);
}
