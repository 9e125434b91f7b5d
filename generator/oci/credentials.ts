// Registry credentials, found the way docker, podman and skopeo find them:
// an auth file given outright (--auth-file, REGISTRY_AUTH_FILE), else
// containers' $XDG_RUNTIME_DIR/containers/auth.json, else Docker's
// $DOCKER_CONFIG/config.json or ~/.docker/config.json. In a file,
// `credHelpers[host]` names a docker-credential-<name> program to ask,
// `auths[host]` holds `auth` (base64 user:password) or `username` and
// `password`, and `credsStore` is the helper for every other host.
//
// The file is treated as hostile: its size is capped, it is read as plain
// data (a `__proto__` key is a key like any other), and no error quotes it,
// since any part of it may be a secret.
import { spawn } from "node:child_process";
import { open } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { RegistryError } from "./errors.ts";

export interface Credentials {
  readonly username: string;
  readonly password: string;
  /** An OAuth2 refresh token (`identitytoken`, or a helper's `<token>` user): exchanged at the token service instead of a password. */
  readonly identityToken?: string;
  /** Where they came from, for messages: a file, or a helper program. */
  readonly source: string;
}

const MAX_AUTH_FILE = 1 << 20;
const MAX_HELPER_OUTPUT = 1 << 20;
const HELPER_TIMEOUT_MS = 30_000;
const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The auth files to look in, in order; an explicit one (option or REGISTRY_AUTH_FILE) is the only one, and must exist. */
export function authFiles(authFile: string | undefined, env: NodeJS.ProcessEnv = process.env): { readonly files: readonly string[]; readonly explicit: boolean } {
  if (authFile) return { files: [authFile], explicit: true };
  if (env.REGISTRY_AUTH_FILE) return { files: [env.REGISTRY_AUTH_FILE], explicit: true };
  const files: string[] = [];
  if (env.XDG_RUNTIME_DIR) files.push(join(env.XDG_RUNTIME_DIR, "containers/auth.json"));
  files.push(env.DOCKER_CONFIG ? join(env.DOCKER_CONFIG, "config.json") : join(env.HOME || homedir(), ".docker/config.json"));
  return { files, explicit: false };
}

/**
 * Credentials for `registry` (host[:port]) and `repository`, or undefined when no file has
 * any. A key `host/repo` (podman's per-repository entries) wins over `host`.
 */
export async function findCredentials(registry: string, repository: string, authFile?: string, env: NodeJS.ProcessEnv = process.env): Promise<Credentials | undefined> {
  const { files, explicit } = authFiles(authFile, env);
  for (const file of files) {
    const config = await readAuthFile(file, explicit);
    if (!config) continue;
    const found = await credentialsIn(config, file, registry, repository);
    if (found) return found;
  }
  return undefined;
}

/** Every file that was looked in, for a hint when credentials were needed and none were found. */
export function describeAuthFiles(authFile: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return authFiles(authFile, env).files.join(", ");
}

interface AuthConfig {
  readonly auths: ReadonlyMap<string, unknown>;
  readonly credHelpers: ReadonlyMap<string, unknown>;
  readonly credsStore: unknown;
}

async function readAuthFile(file: string, explicit: boolean): Promise<AuthConfig | undefined> {
  let text: string;
  try {
    const handle = await open(file, "r");
    try {
      const size = (await handle.stat()).size;
      if (size > MAX_AUTH_FILE) throw new RegistryError(`the auth file ${file} is ${size} bytes, more than the ${MAX_AUTH_FILE} an auth file may be`, "point --auth-file or REGISTRY_AUTH_FILE at the right file");
      text = (await handle.readFile()).subarray(0, MAX_AUTH_FILE).toString("utf8");
    } finally {
      await handle.close();
    }
  } catch (e) {
    if (e instanceof RegistryError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (!explicit && (code === "ENOENT" || code === "ENOTDIR")) return undefined;
    throw new RegistryError(`cannot read the auth file ${file} (${code ?? "error"})`, "check --auth-file or REGISTRY_AUTH_FILE, and the file's permissions");
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    // V8's message quotes the text around the mistake, which may be a password: keep only where.
    const at = /position (\d+)/.exec(e instanceof Error ? e.message : "");
    throw new RegistryError(`the auth file ${file} is not valid JSON${at ? ` (at byte ${at[1]})` : ""}`, "fix it, or log in again with `docker login` or `podman login`");
  }
  if (!isRecord(data)) throw new RegistryError(`the auth file ${file} is not a JSON object`, "fix it, or log in again with `docker login` or `podman login`");
  return { auths: entries(data, "auths"), credHelpers: entries(data, "credHelpers"), credsStore: own(data, "credsStore") };
}

async function credentialsIn(config: AuthConfig, file: string, registry: string, repository: string): Promise<Credentials | undefined> {
  const keys = candidateKeys(registry, repository);
  const helper = firstMatch(config.credHelpers, keys);
  if (helper !== undefined) return askHelper(helper.value, file, registry);
  const entry = firstMatch(config.auths, keys);
  if (entry !== undefined) {
    const found = decodeEntry(entry.value, file, entry.key);
    if (found) return found;
  }
  if (config.credsStore !== undefined) return askHelper(config.credsStore, file, registry);
  return undefined;
}

/** `host/a/b`, `host/a`, `host`: the most specific first. */
function candidateKeys(registry: string, repository: string): string[] {
  const parts = repository.split("/");
  const keys: string[] = [];
  for (let n = parts.length; n > 0; n--) keys.push(`${registry}/${parts.slice(0, n).join("/")}`);
  keys.push(registry);
  return keys;
}

/** A key as docker writes it (`https://host/v1/`) or podman does (`host/repo`), reduced to host[/path]. */
function normaliseKey(key: string): string {
  let k = key.trim().toLowerCase();
  const scheme = /^[a-z]+:\/\//.exec(k);
  if (scheme) {
    k = k.slice(scheme[0].length);
    // docker's legacy keys end in the API version: https://index.docker.io/v1/
    k = k.replace(/\/v[12]\/?$/, "");
  }
  return k.replace(/\/+$/, "");
}

function firstMatch(map: ReadonlyMap<string, unknown>, keys: readonly string[]): { key: string; value: unknown } | undefined {
  const wanted = new Map(keys.map((k, i) => [k.toLowerCase(), i]));
  let best: { key: string; value: unknown; rank: number } | undefined;
  for (const [key, value] of map) {
    const rank = wanted.get(normaliseKey(key));
    if (rank !== undefined && (best === undefined || rank < best.rank)) best = { key, value, rank };
  }
  return best;
}

function decodeEntry(value: unknown, file: string, key: string): Credentials | undefined {
  if (!isRecord(value)) throw new RegistryError(`the auth file ${file}: auths["${printable(key)}"] is not an object`, "fix it, or log in again");
  const auth = own(value, "auth");
  const identityToken = stringField(value, "identitytoken", file, key);
  if (auth !== undefined && auth !== "") {
    if (typeof auth !== "string") throw new RegistryError(`the auth file ${file}: auths["${printable(key)}"].auth is not a string`, "fix it, or log in again");
    const decoded = Buffer.from(auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) throw new RegistryError(`the auth file ${file}: auths["${printable(key)}"].auth is not base64 of user:password`, "fix it, or log in again");
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), ...(identityToken ? { identityToken } : {}), source: file };
  }
  const username = stringField(value, "username", file, key);
  const password = stringField(value, "password", file, key);
  if (username !== undefined && password !== undefined) return { username, password, ...(identityToken ? { identityToken } : {}), source: file };
  if (identityToken) return { username: "", password: "", identityToken, source: file };
  return undefined;
}

/** Ask `docker-credential-<name> get`, the host on stdin, as docker does. */
async function askHelper(name: unknown, file: string, registry: string): Promise<Credentials | undefined> {
  if (typeof name !== "string" || !HELPER_NAME.test(name)) {
    throw new RegistryError(`the auth file ${file} names a credential helper that is not a plain program name`, "credHelpers and credsStore name a docker-credential-<name> program, such as \"pass\" or \"secretservice\"");
  }
  const program = `docker-credential-${name}`;
  const { code, stdout, missing } = await run(program, ["get"], registry);
  if (missing) {
    throw new RegistryError(`the auth file ${file} says to ask ${program} for ${registry}'s credentials, but ${program} is not installed (or this user cannot run it)`, `install ${program}, or log in with \`podman login --authfile FILE\` and pass --auth-file FILE`);
  }
  // Helpers answer "credentials not found in native keychain" for a host they do not know.
  if (code !== 0) {
    if (/not found/i.test(stdout)) return undefined;
    throw new RegistryError(`${program} failed (exit ${code}) when asked for ${registry}'s credentials`, `check that \`echo ${registry} | ${program} get\` works`);
  }
  let answer: unknown;
  try {
    answer = JSON.parse(stdout);
  } catch {
    throw new RegistryError(`${program} answered something that is not JSON when asked for ${registry}'s credentials`, `check that \`echo ${registry} | ${program} get\` works`);
  }
  if (!isRecord(answer) || typeof own(answer, "Username") !== "string" || typeof own(answer, "Secret") !== "string") {
    throw new RegistryError(`${program} answered without a Username and Secret for ${registry}`, `check that \`echo ${registry} | ${program} get\` works`);
  }
  const username = own(answer, "Username") as string;
  const secret = own(answer, "Secret") as string;
  if (username === "<token>") return { username: "", password: "", identityToken: secret, source: program };
  return { username, password: secret, source: program };
}

function run(program: string, args: readonly string[], input: string): Promise<{ code: number; stdout: string; missing: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(program, args, { stdio: ["pipe", "pipe", "ignore"], timeout: HELPER_TIMEOUT_MS });
    const chunks: Buffer[] = [];
    let size = 0;
    child.stdout.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_HELPER_OUTPUT) chunks.push(chunk);
      else child.kill("SIGKILL");
    });
    // EACCES too: a folder on PATH this user may not search hides the program just as well.
    child.on("error", (e) => resolve({ code: -1, stdout: "", missing: ["ENOENT", "EACCES"].includes((e as NodeJS.ErrnoException).code ?? "") }));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(chunks).toString("utf8"), missing: false }));
    child.stdin.on("error", () => {});
    child.stdin.end(input);
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A property only if the object itself has it: never one inherited from Object.prototype. */
function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function entries(obj: Record<string, unknown>, key: string): ReadonlyMap<string, unknown> {
  const value = own(obj, key);
  return isRecord(value) ? new Map(Object.entries(value)) : new Map();
}

function stringField(obj: Record<string, unknown>, field: string, file: string, key: string): string | undefined {
  const v = own(obj, field);
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string") throw new RegistryError(`the auth file ${file}: auths["${printable(key)}"].${field} is not a string`, "fix it, or log in again");
  return v;
}

function printable(text: string): string {
  const clean = JSON.stringify(text).slice(1, -1);
  return clean.length > 100 ? `${clean.slice(0, 100)}...` : clean;
}
