// A real OCI registry for tests: Debian's docker-registry (CNCF
// distribution) on a free loopback port, with filesystem storage in a
// temporary folder; optionally HTTPS with a CA made for the occasion, and
// htpasswd auth (user exo, password s3cret, tests/fixtures/registry).
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { accessSync, constants, openSync, closeSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import * as http from "node:http";
import * as https from "node:https";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { randomBytes } from "node:crypto";
import { REPO } from "./exo.ts";

export const REGISTRY_BIN = "docker-registry";
export const TEST_USER = "exo";
export const TEST_PASSWORD = "s3cret";
const HTPASSWD = join(REPO, "tests/fixtures/registry/htpasswd");
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

export interface RegistryOptions {
  /** HTTPS with a certificate for 127.0.0.1 signed by a fresh CA (caFile). */
  readonly tls?: boolean;
  /** Require user exo, password s3cret (bcrypt htpasswd); authFile holds them. */
  readonly htpasswd?: boolean;
  /** Keep blobs and manifests here instead of in the temporary folder (kept on stop). */
  readonly storage?: string;
}

export interface TestRegistry {
  /** 127.0.0.1:PORT */
  readonly host: string;
  /** oci://host/repo */
  url(repo: string): string;
  readonly storage: string;
  readonly caFile?: string;
  readonly username?: string;
  readonly password?: string;
  /** A Docker-style auth file with the test user's credentials for `host`. */
  readonly authFile?: string;
  /** Stop the registry and remove its temporary folder. */
  stop(): Promise<void>;
  /** SIGKILL now, as a crash would. */
  kill(): void;
  /** Start it again (after kill, or while running): same port, same storage, same upload secret. */
  restart(): Promise<void>;
}

export async function startRegistry(opts: RegistryOptions = {}): Promise<TestRegistry> {
  if (!onPath(REGISTRY_BIN)) throw new Error(`${REGISTRY_BIN} is not installed (Debian package docker-registry): run scripts/setup.sh`);
  const dir = await mkdtemp(join(tmpdir(), "exo-registry-"));
  const storage = opts.storage ?? join(dir, "storage");
  await mkdir(storage, { recursive: true });
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const tls = opts.tls ? await makeCertificates(dir) : undefined;
  const authFile = opts.htpasswd ? join(dir, "auth.json") : undefined;
  if (authFile) {
    const auth = Buffer.from(`${TEST_USER}:${TEST_PASSWORD}`).toString("base64");
    await writeFile(authFile, `${JSON.stringify({ auths: { [host]: { auth } } }, null, 2)}\n`, { mode: 0o600 });
  }
  const config = join(dir, "config.yml");
  await writeFile(config, configText({ port, storage, tls, htpasswd: opts.htpasswd === true, secret: randomBytes(16).toString("hex") }));
  const logFile = join(dir, "registry.log");

  let child: ChildProcess | undefined;
  let reaper: ChildProcess | undefined;
  const killNow = () => {
    reaper?.kill("SIGKILL");
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  // A test that dies without stopping it must not leave a registry behind.
  process.once("exit", killNow);

  const launch = async () => {
    const log = openSync(logFile, "a");
    try {
      child = spawn(REGISTRY_BIN, ["serve", config], { stdio: ["ignore", log, log] });
    } finally {
      closeSync(log);
    }
    child.on("error", () => {});
    reaper = watch(child);
    await waitUntilUp(child, host, tls?.caPem, logFile);
  };
  const terminate = async () => {
    reaper?.kill("SIGKILL");
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once("exit", () => resolve()));
    c.kill("SIGTERM");
    const timer = setTimeout(() => c.kill("SIGKILL"), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };

  try {
    await launch();
  } catch (e) {
    killNow();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }

  return {
    host,
    url: (repo) => `oci://${host}/${repo}`,
    storage,
    ...(tls ? { caFile: tls.caFile } : {}),
    ...(opts.htpasswd ? { username: TEST_USER, password: TEST_PASSWORD, authFile } : {}),
    async stop() {
      await terminate();
      process.removeListener("exit", killNow);
      await rm(dir, { recursive: true, force: true });
    },
    kill: killNow,
    async restart() {
      await terminate();
      await launch();
    },
  };
}

/**
 * A process that kills the registry when this one dies without stopping it (ava ends a
 * worker that times out with SIGKILL, and no exit handler runs): it waits for the end of
 * a pipe from us. Stopping the registry kills the reaper first, so it never fires then.
 */
function watch(registry: ChildProcess): ChildProcess | undefined {
  if (registry.pid === undefined) return undefined;
  const reaper = spawn("sh", ["-c", 'read _ignored; kill -9 "$1" 2>/dev/null', "exo-registry-reaper", String(registry.pid)], { stdio: ["pipe", "ignore", "ignore"] });
  reaper.on("error", () => {});
  reaper.stdin?.on("error", () => {});
  // Neither the reaper nor its pipe keeps a test process alive.
  reaper.unref();
  (reaper.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return reaper;
}

function configText(o: { port: number; storage: string; tls: Certificates | undefined; htpasswd: boolean; secret: string }): string {
  const lines = [
    "version: 0.1",
    "log:",
    "  level: warn",
    "  accesslog:",
    "    disabled: true",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${JSON.stringify(o.storage)}`,
    "  delete:",
    "    enabled: true",
    "  maintenance:",
    "    uploadpurging:",
    "      enabled: false",
    "http:",
    `  addr: 127.0.0.1:${o.port}`,
    // A fixed secret: upload sessions started before a restart stay valid after it.
    `  secret: ${o.secret}`,
  ];
  if (o.tls) lines.push("  tls:", `    certificate: ${JSON.stringify(o.tls.certFile)}`, `    key: ${JSON.stringify(o.tls.keyFile)}`);
  if (o.htpasswd) lines.push("auth:", "  htpasswd:", "    realm: exo-test", `    path: ${JSON.stringify(HTPASSWD)}`);
  return `${lines.join("\n")}\n`;
}

interface Certificates {
  readonly caFile: string;
  readonly caPem: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** A CA, and a certificate for 127.0.0.1 (IP SAN) and localhost that it signed, made with openssl. */
async function makeCertificates(dir: string): Promise<Certificates> {
  const tlsDir = join(dir, "tls");
  await mkdir(tlsDir);
  const f = (name: string) => join(tlsDir, name);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await run("openssl", ["req", "-x509", ...ec, "-keyout", f("ca.key"), "-out", f("ca.pem"), "-days", "2", "-subj", "/CN=exo test CA",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
  await run("openssl", ["req", "-new", ...ec, "-keyout", f("server.key"), "-out", f("server.csr"), "-subj", "/CN=127.0.0.1"]);
  await writeFile(f("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n");
  await run("openssl", ["x509", "-req", "-in", f("server.csr"), "-CA", f("ca.pem"), "-CAkey", f("ca.key"), "-CAcreateserial", "-out", f("server.pem"), "-days", "2", "-extfile", f("server.ext")]);
  return { caFile: f("ca.pem"), caPem: await readFile(f("ca.pem"), "utf8"), certFile: f("server.pem"), keyFile: f("server.key") };
}

function run(program: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(program, args, (error, _stdout, stderr) => (error ? reject(new Error(`${program} ${args.slice(0, 2).join(" ")} failed: ${stderr}`)) : resolve()));
  });
}

/** A port the kernel just gave out, closed again for the registry to take. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Until GET /v2/ answers (401 counts: the registry is up, it wants credentials). */
async function waitUntilUp(child: ChildProcess, host: string, caPem: string | undefined, logFile: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${REGISTRY_BIN} exited (${child.exitCode ?? child.signalCode}) before answering:\n${readLog(logFile)}`);
    }
    const status = await probe(host, caPem);
    if (status === 200 || status === 401) return;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${REGISTRY_BIN} did not answer on ${host} within ${START_TIMEOUT_MS} ms:\n${readLog(logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function probe(host: string, caPem: string | undefined): Promise<number | undefined> {
  return new Promise((resolve) => {
    const url = `${caPem ? "https" : "http"}://${host}/v2/`;
    const req = caPem ? https.get(url, { ca: caPem, agent: false }) : http.get(url, { agent: false });
    req.setTimeout(1000, () => req.destroy());
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on("error", () => resolve(undefined));
  });
}

function readLog(file: string): string {
  try {
    return readFileSync(file, "utf8").slice(-4000);
  } catch {
    return "(no log)";
  }
}

function onPath(program: string): boolean {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, program), constants.X_OK);
      return true;
    } catch {
      // not in this folder
    }
  }
  return false;
}
