// A published package's detached signature, `<name>.exopkg.sig`: the
// package's name and version and every file's path and SHA-256, signed
// with an ML-DSA key as images are (generator/sign/). The signed bytes are
// the canonical JSON of those, with the schema's name inside, so that a
// publication's signature is never taken for an image's and back.
import { lstat, readFile, realpath } from "node:fs/promises";
import { join, sep } from "node:path";
import { z } from "zod";
import { packageName, packagePath, packageVersion } from "../../schemas/package-fields.ts";
import { canonicalJson, sha256Hex } from "../../store/hash.ts";
import { ExoError } from "../errors.ts";
import { displayPath } from "../eval/paths.ts";
import { ALGORITHM_NAMES, ALGORITHMS } from "../sign/algorithms.ts";
import { loadPublicKey, type SecretKey } from "../sign/keys.ts";
import { PACKAGE_FILE_MAX_BYTES } from "./files.ts";

export const PUBLICATION_SCHEMA = "exo.publication/v1";
/** The signature sits beside the manifest: `<name>.exopkg` is signed in `<name>.exopkg.sig`. */
export const SIGNATURE_SUFFIX = ".sig";
/** A signature file is a few kilobytes; anything much larger is not one. */
const SIGNATURE_MAX_BYTES = 1024 * 1024;

const signedFile = z.strictObject({ path: packagePath, sha256: z.string().regex(/^[0-9a-f]{64}$/) });
export type SignedFile = z.infer<typeof signedFile>;

const publicationSchema = z.strictObject({
  schema: z.literal(PUBLICATION_SCHEMA),
  name: packageName,
  version: packageVersion,
  algorithm: z.enum(ALGORITHM_NAMES),
  keyId: z.string(),
  files: z.array(signedFile).min(1),
  signature: z.base64(),
});
export type Publication = z.infer<typeof publicationSchema>;

/** What is signed: the schema, the package's identity and its files, sorted by path. */
function signedBytes(name: string, version: string, files: readonly SignedFile[]): Uint8Array {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return new TextEncoder().encode(canonicalJson({ schema: PUBLICATION_SCHEMA, name, version, files: sorted }));
}

/** Sign a package's files; deterministic, as ML-DSA signing here takes no extra entropy. */
export function signPublication(name: string, version: string, files: readonly SignedFile[], key: SecretKey): Publication {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const signature = ALGORITHMS[key.algorithm].sign(signedBytes(name, version, sorted), key.secretKey);
  return { schema: PUBLICATION_SCHEMA, name, version, algorithm: key.algorithm, keyId: key.keyId, files: sorted, signature: Buffer.from(signature).toString("base64") };
}

export function publicationBytes(p: Publication): Buffer {
  return Buffer.from(`${JSON.stringify(p, null, 2)}\n`);
}

export interface VerifiedPublication {
  readonly publication: Publication;
  /** Every signed file's bytes, as checked: read once, so what is used is what was verified. */
  readonly files: ReadonlyMap<string, Buffer>;
}

/**
 * Check the signature file `sigFile` of the package folder `dir` against the trusted public key
 * files: the signature by a trusted key, then every file it lists, present and of its hash.
 */
export async function verifyPublication(dir: string, sigFile: string, trusted: readonly string[]): Promise<VerifiedPublication> {
  const publication = await readPublication(sigFile);
  const keys = await Promise.all(trusted.map((k) => loadPublicKey(k)));
  const key = keys.find((k) => k.keyId === publication.keyId);
  const where = displayPath(sigFile);
  const hint = "install only what a key you trust signed: get the publisher's public key and add it to exo.config.ts keys.trusted, or publish the package again";
  if (!key) {
    throw new ExoError("ERR_EXO_VERIFY", `${where}: signed by key ${publication.keyId}, which is not among the trusted keys (${keys.map((k) => k.keyId).join(", ") || "none"})`, hint);
  }
  if (key.algorithm !== publication.algorithm) throw new ExoError("ERR_EXO_VERIFY", `${where}: signed with ${publication.algorithm}, but trusted key ${key.keyId} (${displayPath(key.file)}) is ${key.algorithm}`, hint);
  const message = signedBytes(publication.name, publication.version, publication.files);
  if (!ALGORITHMS[key.algorithm].verify(Buffer.from(publication.signature, "base64"), message, key.publicKey)) {
    throw new ExoError("ERR_EXO_VERIFY", `${where}: the ${publication.algorithm} signature by key ${key.keyId} does not match the files it lists (the signature file was altered)`, hint);
  }
  const files = new Map<string, Buffer>();
  const root = await realpath(dir);
  for (const f of publication.files) files.set(f.path, await checkedFile(root, f, where));
  return { publication, files };
}

async function readPublication(sigFile: string): Promise<Publication> {
  const where = displayPath(sigFile);
  const info = await lstat(sigFile);
  if (!info.isFile() || info.size > SIGNATURE_MAX_BYTES) throw new ExoError("ERR_EXO_VERIFY", `${where} is not a signature file (a regular file of at most ${SIGNATURE_MAX_BYTES} bytes)`);
  let parsed;
  try {
    parsed = publicationSchema.safeParse(JSON.parse(await readFile(sigFile, "utf8")));
  } catch {
    throw new ExoError("ERR_EXO_VERIFY", `${where} is not valid JSON: expected an ${PUBLICATION_SCHEMA} signature`, "publish the package again with `exo publish`");
  }
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ExoError("ERR_EXO_VERIFY", `${where} is not an ${PUBLICATION_SCHEMA} signature: \`${issue.path.join(".")}\`: ${issue.message}`, "publish the package again with `exo publish`");
  }
  return parsed.data;
}

/** The bytes of one signed file: a regular file inside the folder, never a link, of the signed hash. */
async function checkedFile(root: string, f: SignedFile, where: string): Promise<Buffer> {
  const file = join(root, f.path);
  const info = await lstat(file).catch(() => undefined);
  if (!info) throw new ExoError("ERR_EXO_VERIFY", `${where} signs ${f.path}, which is missing from ${displayPath(root)}`, "copy the whole published folder; a package is installed only whole");
  if (!info.isFile()) throw new ExoError("ERR_EXO_VERIFY", `${where} signs ${f.path}, which is not a regular file (a link or a folder is never followed)`);
  if (!(await realpath(file)).startsWith(`${root}${sep}`)) throw new ExoError("ERR_EXO_VERIFY", `${where} signs ${f.path}, which leads out of the package's folder through a link`);
  if (info.size > PACKAGE_FILE_MAX_BYTES) throw new ExoError("ERR_EXO_VERIFY", `${where} signs ${f.path}, which is ${info.size} bytes, more than the ${PACKAGE_FILE_MAX_BYTES} a package file may have`);
  const bytes = await readFile(file);
  const sha256 = sha256Hex(bytes);
  if (sha256 !== f.sha256) {
    throw new ExoError("ERR_EXO_VERIFY", `${f.path} in ${displayPath(root)} has SHA-256 ${sha256}, but ${where} signs ${f.sha256}: the file was changed after it was published`, "get the package again from its publisher; never edit a published package, publish a new version");
  }
  return bytes;
}
