// Signing key pairs (ML-DSA by default, see algorithms.ts). The secret key
// file holds the seed the pair is derived from; it is written mode 0600,
// never printed, and refused when others can read it.
import { randomBytes } from "node:crypto";
import { open, readFile, rename, stat, unlink } from "node:fs/promises";
import { z } from "zod";
import { sha256Hex } from "../../store/hash.ts";
import { ExoError } from "../errors.ts";
import { displayPath } from "../eval/paths.ts";
import { ALGORITHM_NAMES, ALGORITHMS, type AlgorithmName, DEFAULT_ALGORITHM } from "./algorithms.ts";

const secretKeyFile = z.strictObject({
  schema: z.literal("exo.secret-key/v1"),
  algorithm: z.enum(ALGORITHM_NAMES),
  keyId: z.string(),
  seed: z.base64(),
});
const publicKeyFile = z.strictObject({
  schema: z.literal("exo.public-key/v1"),
  algorithm: z.enum(ALGORITHM_NAMES),
  keyId: z.string(),
  publicKey: z.base64(),
});

export interface PublicKey {
  readonly algorithm: AlgorithmName;
  readonly keyId: string;
  readonly publicKey: Uint8Array;
  readonly file: string;
}

export interface SecretKey {
  readonly algorithm: AlgorithmName;
  readonly keyId: string;
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/** Key ids are the first 16 hex digits of the public key's SHA-256. */
export function keyIdOf(publicKey: Uint8Array): string {
  return sha256Hex(publicKey).slice(0, 16);
}

/** Create a key pair at `secretPath` and `publicPath`; never overwrites. */
export async function generateKeyPair(secretPath: string, publicPath: string, algorithm: AlgorithmName = DEFAULT_ALGORITHM): Promise<string> {
  for (const path of [secretPath, publicPath]) {
    if (await stat(path).then(() => true, () => false)) {
      throw new ExoError("ERR_EXO_KEY", `${displayPath(path)} already exists; refusing to overwrite a key`, "move it away first, or pass other paths with --secret and --public");
    }
  }
  const seed = randomBytes(ALGORITHMS[algorithm].seedBytes);
  const { publicKey } = ALGORITHMS[algorithm].keygen(seed);
  const keyId = keyIdOf(publicKey);
  await writeExclusive(secretPath, `${JSON.stringify({ schema: "exo.secret-key/v1", algorithm, keyId, seed: seed.toString("base64") }, null, 2)}\n`, 0o600);
  await writeExclusive(publicPath, `${JSON.stringify({ schema: "exo.public-key/v1", algorithm, keyId, publicKey: Buffer.from(publicKey).toString("base64") }, null, 2)}\n`, 0o644);
  return keyId;
}

/** A secret key file checked and read, whose key pair is derived only when something is signed. */
export interface SecretKeyHandle {
  readonly keyId: string;
  load(): Promise<SecretKey>;
}

/** Check the key file now (exists, private, well-formed); derive the pair (~20 ms) on first use. */
export async function openSecretKey(path: string): Promise<SecretKeyHandle> {
  const { keyId, seed, algorithm } = await readSecretKeyFile(path);
  let loaded: Promise<SecretKey> | undefined;
  return {
    keyId,
    load: () =>
      (loaded ??= (async () => {
        const key = deriveKey(algorithm, seed);
        if (key.keyId !== keyId) throw new ExoError("ERR_EXO_KEY", `${displayPath(path)}: keyId does not match the key`);
        return key;
      })()),
  };
}

export async function loadSecretKey(path: string): Promise<SecretKey> {
  const { algorithm, seed } = await readSecretKeyFile(path);
  return deriveKey(algorithm, seed);
}

function deriveKey(algorithm: AlgorithmName, seed: Uint8Array): SecretKey {
  const { publicKey, secretKey } = ALGORITHMS[algorithm].keygen(seed);
  return { algorithm, keyId: keyIdOf(publicKey), publicKey, secretKey };
}

async function readSecretKeyFile(path: string): Promise<{ keyId: string; seed: Uint8Array; algorithm: AlgorithmName }> {
  const info = await stat(path).catch(() => undefined);
  if (!info) {
    throw new ExoError("ERR_EXO_KEY", `no signing key at ${displayPath(path)} (exo.config.ts keys.secretKey)`, "create one with `npx exo keygen`");
  }
  if (info.mode & 0o077) {
    throw new ExoError("ERR_EXO_KEY", `secret key ${displayPath(path)} can be read by other users (mode ${(info.mode & 0o777).toString(8)})`, `run: chmod 600 ${displayPath(path)}`);
  }
  const parsed = secretKeyFile.safeParse(await readJson(path));
  if (!parsed.success) throw new ExoError("ERR_EXO_KEY", `${displayPath(path)} is not an Exo secret key file`);
  return { keyId: parsed.data.keyId, algorithm: parsed.data.algorithm, seed: new Uint8Array(Buffer.from(parsed.data.seed, "base64")) };
}

export async function loadPublicKey(path: string): Promise<PublicKey> {
  const parsed = publicKeyFile.safeParse(await readJson(path));
  if (!parsed.success) throw new ExoError("ERR_EXO_KEY", `${displayPath(path)} is not an Exo public key file (schema exo.public-key/v1)`);
  const publicKey = new Uint8Array(Buffer.from(parsed.data.publicKey, "base64"));
  if (keyIdOf(publicKey) !== parsed.data.keyId) throw new ExoError("ERR_EXO_KEY", `${displayPath(path)}: keyId does not match the public key`);
  return { algorithm: parsed.data.algorithm, keyId: parsed.data.keyId, publicKey, file: path };
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new ExoError("ERR_EXO_KEY", `key file ${displayPath(path)} does not exist`, "create a key pair with `npx exo keygen`");
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ExoError("ERR_EXO_KEY", `key file ${displayPath(path)} is not valid JSON`);
  }
}

/** Write through a temporary file created with its final mode, then rename: never a partial key. */
async function writeExclusive(path: string, text: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  const handle = await open(tmp, "wx", mode);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}
