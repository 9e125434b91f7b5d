// Load a package's manifest: the one `.exopkg` file (YAML) or `package.ts`
// (definePackage) in its folder. Every problem is reported at once, each
// naming the manifest's file:line and the field, as a profile's are. A
// published package (`exo publish`) carries a signature beside its
// manifest: it is checked against the trusted keys before anything is read.
import { lstat, readdir, stat } from "node:fs/promises";
import { basename, dirname, extname, join, resolve } from "node:path";
import type { z } from "zod";
import { type Manifest, manifestSchema } from "../../schemas/manifest.ts";
import { ExoError, ExoErrors } from "../errors.ts";
import { readLimited } from "../eval/load.ts";
import { readYaml } from "../eval/load-yaml.ts";
import { displayPath } from "../eval/paths.ts";
import { keyLine } from "../eval/lines.ts";
import { isPackageDefinition } from "./define.ts";
import { SIGNATURE_SUFFIX, type VerifiedPublication, verifyPublication } from "./publication.ts";
import { importUserFile } from "../user-code.ts";

export const MANIFEST_EXTENSION = ".exopkg";
export const MANIFEST_TS = "package.ts";

export interface LoadedPackage {
  readonly manifest: Manifest;
  /** Absolute path of the manifest file. */
  readonly file: string;
  /** The package's folder: its sources are relative to it. */
  readonly dir: string;
  /** The key id that signed it, for a published package whose signature was checked. */
  readonly signedBy?: string;
}

export interface LoadOptions {
  /** Public key files (as exo.config.ts keys.trusted) a published package's signature must be by one of. */
  readonly trusted?: readonly string[];
}

/** Load the package at `path`: a manifest file, or a folder holding exactly one. */
export async function loadPackage(path: string, opts?: LoadOptions): Promise<LoadedPackage> {
  const file = await manifestFile(resolve(path));
  const sigFile = `${file}${SIGNATURE_SUFFIX}`;
  const signed = (await lstat(sigFile).catch(() => undefined)) ? await verifyPublication(dirname(file), sigFile, opts?.trusted ?? []) : undefined;
  if (signed && extname(file) !== MANIFEST_EXTENSION) {
    throw new ExoError("ERR_EXO_VERIFY", `${displayPath(sigFile)} signs ${basename(file)}: a published package's manifest is a ${MANIFEST_EXTENSION} file`, "publish it with `exo publish`, which writes one");
  }
  const { value, lineOf } = extname(file) === MANIFEST_EXTENSION ? await readExopkg(file, signed && signedManifestText(file, sigFile, signed)) : await readPackageTs(file);
  const parsed = manifestSchema.safeParse(value);
  if (!parsed.success) throw ExoErrors.of(parsed.error.issues.map((issue) => manifestProblem(file, issue, lineOf)));
  if (signed) checkSignedInputs(parsed.data, sigFile, signed);
  return { manifest: parsed.data, file, dir: dirname(file), ...(signed ? { signedBy: signed.publication.keyId } : {}) };
}

/** The manifest's text as verified: the signature must list it. */
function signedManifestText(file: string, sigFile: string, signed: VerifiedPublication): string {
  const bytes = signed.files.get(basename(file));
  if (!bytes) throw new ExoError("ERR_EXO_VERIFY", `${displayPath(sigFile)} does not sign the manifest ${basename(file)}`, "publish the package again with `exo publish`");
  return bytes.toString("utf8");
}

/** The signature covers the package it names, and every file the manifest builds from. */
function checkSignedInputs(manifest: Manifest, sigFile: string, signed: VerifiedPublication): void {
  const { name, version } = signed.publication;
  const where = displayPath(sigFile);
  if (name !== manifest.package.name || version !== manifest.package.version) {
    throw new ExoError("ERR_EXO_VERIFY", `${where} signs package ${name}@${version}, but the manifest is ${manifest.package.name}@${manifest.package.version}`, "publish the package again with `exo publish`");
  }
  for (const entry of [...manifest.sources, ...manifest.headers, ...manifest.data, ...(manifest.prebuilt?.file !== undefined ? [manifest.prebuilt.file] : []), ...(manifest.script !== undefined ? [manifest.script] : [])]) {
    if (entry.includes("*")) throw new ExoError("ERR_EXO_VERIFY", `${where}: a published manifest names each file it uses, not a pattern such as ${entry}`);
    if (!signed.files.has(entry)) throw new ExoError("ERR_EXO_VERIFY", `${where} does not sign ${entry}, which the manifest uses`, "publish the package again with `exo publish`: every file a package uses is signed");
  }
}

async function manifestFile(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new ExoError("ERR_EXO_PACKAGE_INVALID", `package ${displayPath(path)} does not exist`, `give a package folder (with a ${MANIFEST_EXTENSION} file or ${MANIFEST_TS}) or the manifest itself`);
  if (!info.isDirectory()) {
    if (extname(path) === MANIFEST_EXTENSION || basename(path) === MANIFEST_TS) return path;
    throw new ExoError("ERR_EXO_PACKAGE_INVALID", `${displayPath(path)} is not a package manifest`, `a manifest is a ${MANIFEST_EXTENSION} file (YAML) or ${MANIFEST_TS}`);
  }
  const entries = await readdir(path);
  const names = entries.filter((n) => extname(n) === MANIFEST_EXTENSION || n === MANIFEST_TS).sort();
  const signatures = entries.filter((n) => n.endsWith(`${MANIFEST_EXTENSION}${SIGNATURE_SUFFIX}`)).sort();
  if (names.length === 0 && signatures.length > 0) {
    const expected = signatures[0]!.slice(0, -SIGNATURE_SUFFIX.length);
    throw new ExoError("ERR_EXO_VERIFY", `${displayPath(path)}: ${signatures[0]} signs the manifest ${expected}, which is missing`, "copy the whole published folder; a package is installed only whole");
  }
  if (names.length !== 1) {
    throw new ExoError(
      "ERR_EXO_PACKAGE_INVALID",
      names.length === 0 ? `${displayPath(path)} holds no package manifest` : `${displayPath(path)} holds ${names.length} package manifests (${names.join(", ")}), so which one is meant is unclear`,
      `a package folder holds exactly one ${MANIFEST_EXTENSION} file or ${MANIFEST_TS}; \`exo new NAME\` makes one`,
    );
  }
  return join(path, names[0]!);
}

type LineOf = (path: readonly string[]) => number;

/** `text`: the manifest as its signature verified it, instead of reading the file again. */
async function readExopkg(file: string, text?: string): Promise<{ value: unknown; lineOf: LineOf }> {
  const { data, lineOf } = readYaml(file, text ?? (await readLimited(file, "package manifest")), "a package manifest is a mapping of sections: package, sources, dependencies, sandbox, ...");
  return { value: data, lineOf };
}

async function readPackageTs(file: string): Promise<{ value: unknown; lineOf: LineOf }> {
  await readLimited(file, "package manifest");
  const exported = (await importUserFile(file)).default;
  if (!isPackageDefinition(exported)) {
    throw new ExoError("ERR_EXO_PACKAGE_INVALID", `${displayPath(file)}: its default export is not a package`, "write `export default definePackage({ package: { name, version, description, license }, sources: [...] })`");
  }
  return { value: exported.manifest, lineOf: (path) => keyLine(exported.file, exported.line, path.map(String)) };
}

function manifestProblem(file: string, issue: z.core.$ZodIssue, lineOf: LineOf): ExoError {
  const path = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]!].map(String) : issue.path.map(String);
  const field = path.length ? `\`${path.join(".")}\`` : "the manifest";
  const problem = issue.code === "unrecognized_keys" ? `is not a field of a package manifest${path.length > 1 ? ` (in \`${path.slice(0, -1).join(".")}\`)` : ""}` : `: ${issue.message}`;
  return new ExoError("ERR_EXO_PACKAGE_INVALID", `${displayPath(file)}:${lineOf(path)}: ${field}${problem.startsWith(":") ? problem : ` ${problem}`}`, "schemas/exopkg.schema.json describes every field; `exo new NAME` writes a manifest that builds");
}
