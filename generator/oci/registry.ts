// A client for one repository of an OCI distribution registry (CNCF
// distribution, Harbor, Zot, GHCR, ECR...): blobs, manifests and referrers,
// nothing more. The registry is not trusted: every blob and every manifest
// fetched by digest is hashed and compared, sizes are capped before bytes
// are kept, and a stalled connection ends in an error. Credentials come
// from the usual auth files (credentials.ts) and never reach a message.
import { createHash } from "node:crypto";
import { open, readFile, rm, stat } from "node:fs/promises";
import { Authenticator, type Access } from "./auth.ts";
import { describeAuthFiles, findCredentials } from "./credentials.ts";
import { DigestMismatch, RegistryError } from "./errors.ts";
import { HttpClient, HttpFailure, hostOf, isLoopbackHost, schemesFor, timeoutFromEnvironment, type Body, type HttpResponse, type Method, type TransferStats } from "./http.ts";
import { MEDIA_TYPES, parseIndex, serialiseIndex } from "./media-types.ts";
import { isSha256Digest, TAG, type OciReference } from "./reference.ts";

export { DigestMismatch, RegistryError } from "./errors.ts";

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface RegistryOptions {
  /** Extra PEM CAs for HTTPS (added to Node's default roots). */
  readonly caFile?: string;
  /** Allow plain http to a non-loopback host. */
  readonly insecureHttp?: boolean;
  /** Override the Docker/containers auth file lookup. */
  readonly authFile?: string;
  /** How long a silent connection is waited for (default: EXO_REGISTRY_TIMEOUT_MS, else 30 s). */
  readonly timeoutMs?: number;
}

export interface Manifest {
  readonly bytes: Buffer;
  readonly mediaType: string;
  readonly digest: string;
}

/** Manifests and indexes are small; a registry that sends more is refused. */
export const MAX_MANIFEST_BYTES = 4 << 20;
/** The registry's own words in an error are shortened to this. */
const MAX_ERROR_BODY = 64 << 10;
const MAX_QUOTED = 300;
/** Read-modify-write of a fallback referrers index races other writers: check and try again. */
const REFERRER_ATTEMPTS = 4;

interface CallOptions {
  readonly access: Access;
  /** Statuses that are answers rather than errors. */
  readonly ok: readonly number[];
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Body;
  readonly retry?: boolean;
}

export class Registry {
  /** "HOST/REPO" for messages. */
  readonly name: string;
  private referrersApi: boolean | undefined;

  private constructor(
    private readonly host: string,
    private readonly repository: string,
    private readonly base: URL,
    private readonly http: HttpClient,
    private readonly auth: Authenticator,
    private readonly options: RegistryOptions,
  ) {
    this.name = `${host}/${repository}`;
  }

  /** Connect (GET /v2/), learning whether it speaks HTTPS or (loopback / insecureHttp only) HTTP, and its auth challenge. */
  static async open(ref: Pick<OciReference, "registry" | "repository">, opts: RegistryOptions = {}): Promise<Registry> {
    const host = ref.registry;
    const name = `${host}/${ref.repository}`;
    const insecure = opts.insecureHttp === true;
    const plainHttpAllowed = (h: string) => isLoopbackHost(h) || (insecure && h.toLowerCase() === host);
    const http = new HttpClient({ ...(opts.caFile ? { caPem: await readCa(opts.caFile) } : {}), timeoutMs: opts.timeoutMs ?? timeoutFromEnvironment(), plainHttpAllowed });
    const auth = new Authenticator(host, ref.repository, http, () => findCredentials(host, ref.repository, opts.authFile), plainHttpAllowed);
    const schemes = schemesFor(host, insecure);
    for (const [i, scheme] of schemes.entries()) {
      const base = new URL(`${scheme}://${host}/`);
      let response: HttpResponse;
      try {
        response = await http.send({ method: "GET", url: new URL("/v2/", base), retry: true });
      } catch (e) {
        if (e instanceof HttpFailure && e.kind === "tls-plain-server") {
          if (i + 1 < schemes.length) continue;
          http.close();
          throw new RegistryError(
            `${name}: ${host} answers in plain HTTP, and exo speaks plain HTTP only to loopback or when told to`,
            `if this registry is meant to be plain HTTP, pass --insecure-http or set registries["${host}"].insecureHttp in exo.config.ts`,
          );
        }
        http.close();
        throw describeFailure(e, name, host, "connecting", opts);
      }
      http.discard(response);
      if (response.status === 401) auth.learn(response.headers["www-authenticate"]);
      else if (response.status !== 200) {
        http.close();
        throw new RegistryError(`${name}: ${base.protocol}//${host}/v2/ answered HTTP ${response.status}: it does not look like an OCI registry`, "check the host and port");
      }
      return new Registry(host, ref.repository, base, http, auth, opts);
    }
    throw new Error("unreachable: schemesFor returns https at least");
  }

  /** Bytes sent and received so far (bodies only), for summaries. */
  get stats(): TransferStats {
    return this.http.stats;
  }

  /** Close idle connections. */
  close(): void {
    this.http.close();
  }

  /** HEAD: is the blob there? */
  async hasBlob(digest: string): Promise<boolean> {
    checkDigest(digest);
    const response = await this.call(`checking blob ${digest}`, "HEAD", this.path(`blobs/${digest}`), { access: "pull", ok: [200, 404], retry: true });
    this.http.discard(response);
    return response.status === 200;
  }

  /** Upload unless present (HEAD first). data: bytes, or a file streamed from disk. Returns bytes sent (0 if it was there). */
  async pushBlob(data: Buffer | { readonly file: string; readonly size: number }, digest: string): Promise<number> {
    checkDigest(digest);
    const size = Buffer.isBuffer(data) ? data.length : data.size;
    if (!Buffer.isBuffer(data)) {
      const actual = (await stat(data.file)).size;
      if (actual !== size) throw new Error(`pushBlob: ${data.file} is ${actual} bytes, not the ${size} given`);
    }
    if (await this.hasBlob(digest)) return 0;
    // An upload session lives in the registry: when it fails (the registry restarted, the
    // connection broke), start a new one. Blobs are content-addressed, so sending twice is harmless.
    try {
      await this.upload(data, digest);
    } catch (e) {
      if (e instanceof DigestMismatch || !retriable(e)) throw e;
      if (await this.hasBlob(digest)) return size;
      await this.upload(data, digest);
    }
    return size;
  }

  private async upload(data: Body, digest: string): Promise<void> {
    const what = `pushing blob ${digest}`;
    const started = await this.call(what, "POST", this.path("blobs/uploads/"), { access: "push", ok: [202], retry: true });
    this.http.discard(started);
    const location = started.headers.location;
    if (!location) throw new RegistryError(`${this.name}: ${what}: the registry started an upload without saying where (no Location)`, "the registry is misconfigured");
    const url = new URL(location, this.base);
    url.searchParams.set("digest", digest);
    // Go's servers read a body without this type as a form, and the digest check then fails.
    const done = await this.call(what, "PUT", url, { access: "push", ok: [201], body: data, headers: { "content-type": "application/octet-stream" } });
    this.http.discard(done);
  }

  /** GET a blob whole, refusing more than maxBytes, checking its sha256 against `digest` (DigestMismatch otherwise). */
  async getBlob(digest: string, maxBytes: number): Promise<Buffer> {
    checkDigest(digest);
    const what = `fetching blob ${digest}`;
    const response = await this.call(what, "GET", this.path(`blobs/${digest}`), { access: "pull", ok: [200], retry: true });
    const bytes = await this.read(response, maxBytes, what);
    const actual = sha256(bytes);
    if (actual !== digest) throw new DigestMismatch(this.name, digest, actual);
    return bytes;
  }

  /** Stream a blob into `file` (created, mode 0644), refusing more than maxBytes, checking its sha256; the file is removed on any failure. */
  async downloadBlob(digest: string, file: string, maxBytes: number): Promise<void> {
    checkDigest(digest);
    const what = `fetching blob ${digest}`;
    const response = await this.call(what, "GET", this.path(`blobs/${digest}`), { access: "pull", ok: [200], retry: true });
    const handle = await open(file, "w", 0o644).catch((e: unknown) => {
      this.http.discard(response);
      throw e;
    });
    const hash = createHash("sha256");
    try {
      try {
        await this.http.streamBody(response, maxBytes, async (chunk) => {
          hash.update(chunk);
          await handle.write(chunk);
        });
      } catch (e) {
        throw describeFailure(e, this.name, this.host, what, this.options);
      }
      await handle.close();
      const actual = `sha256:${hash.digest("hex")}`;
      if (actual !== digest) throw new DigestMismatch(this.name, digest, actual);
    } catch (e) {
      await handle.close().catch(() => {});
      await rm(file, { force: true });
      throw e;
    }
  }

  /** PUT a manifest under a tag or its digest; returns its digest (sha256 of the bytes). */
  async putManifest(reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    checkManifestReference(reference);
    const digest = sha256(bytes);
    if (isSha256Digest(reference) && reference !== digest) throw new Error(`putManifest: the bytes' digest is ${digest}, not ${reference}`);
    if (bytes.length > MAX_MANIFEST_BYTES) throw new Error(`putManifest: ${bytes.length} bytes is more than a manifest may be`);
    const what = `pushing manifest ${reference}`;
    const response = await this.call(what, "PUT", this.path(`manifests/${reference}`), { access: "push", ok: [201], body: bytes, headers: { "content-type": mediaType }, retry: true });
    this.http.discard(response);
    const said = header(response, "docker-content-digest");
    if (said && said !== digest) throw new RegistryError(`${this.name}: ${what}: the registry stored it as ${said}, not ${digest}: it changed the manifest`, "this registry rewrites manifests; exo cannot use it");
    return digest;
  }

  /** GET a manifest by tag or digest (undefined on 404). When fetched by digest, the bytes' sha256 is checked. At most 4 MiB. */
  async getManifest(reference: string): Promise<Manifest | undefined> {
    checkManifestReference(reference);
    const what = `fetching manifest ${reference}`;
    const response = await this.call(what, "GET", this.path(`manifests/${reference}`), { access: "pull", ok: [200, 404], headers: { accept: MEDIA_TYPES.accept }, retry: true });
    if (response.status === 404) {
      this.http.discard(response);
      return undefined;
    }
    const bytes = await this.read(response, MAX_MANIFEST_BYTES, what);
    const digest = sha256(bytes);
    if (isSha256Digest(reference) && digest !== reference) throw new DigestMismatch(this.name, reference, digest, "manifest");
    return { bytes, digest, mediaType: mediaTypeOf(response, bytes) };
  }

  /** HEAD a manifest: its digest, or undefined on 404. */
  async manifestDigest(reference: string): Promise<string | undefined> {
    checkManifestReference(reference);
    const response = await this.call(`checking manifest ${reference}`, "HEAD", this.path(`manifests/${reference}`), { access: "pull", ok: [200, 404], headers: { accept: MEDIA_TYPES.accept }, retry: true });
    this.http.discard(response);
    if (response.status === 404) return undefined;
    const said = header(response, "docker-content-digest");
    if (said && isSha256Digest(said)) return said;
    // No (usable) header: the digest is the hash of the bytes, so fetch them.
    return (await this.getManifest(reference))?.digest;
  }

  /** Referrers of a manifest digest: the referrers API when the registry has it, else the `sha256-<hex>` fallback index; filtered by artifactType when given. */
  async referrers(subject: string, artifactType?: string): Promise<Descriptor[]> {
    checkDigest(subject);
    let found: Descriptor[];
    const viaApi = await this.referrersFromApi(subject, artifactType);
    if (viaApi) found = viaApi;
    else {
      const index = await this.getManifest(fallbackTag(subject));
      found = index ? parseIndex(index.bytes, `${this.name}: the referrers index ${fallbackTag(subject)}`) : [];
    }
    return artifactType === undefined ? found : found.filter((d) => d.artifactType === artifactType);
  }

  /** After pushing a manifest whose `subject` is `subject`, record it in the fallback index (read-modify-write of the `sha256-<hex>` tag) unless the registry has the referrers API. */
  async addReferrer(subject: string, referrer: Descriptor): Promise<void> {
    checkDigest(subject);
    checkDigest(referrer.digest);
    if (await this.referrersFromApi(subject)) return;
    const tag = fallbackTag(subject);
    for (let attempt = 0; attempt < REFERRER_ATTEMPTS; attempt++) {
      const current = await this.getManifest(tag);
      const listed = current ? parseIndex(current.bytes, `${this.name}: the referrers index ${tag}`) : [];
      if (listed.some((d) => d.digest === referrer.digest)) return;
      await this.putManifest(tag, serialiseIndex([...listed, referrer]), MEDIA_TYPES.ociIndex);
      // Another writer may have replaced the index between our read and write: look again.
      const after = await this.getManifest(tag);
      if (after && parseIndex(after.bytes, `${this.name}: the referrers index ${tag}`).some((d) => d.digest === referrer.digest)) return;
    }
    throw new RegistryError(`${this.name}: recording a referrer of ${subject}: the index ${tag} kept changing under exo`, "other clients are writing it at the same time; try again");
  }

  /** The referrers API's answer, or undefined when the registry has no such API (it answers 404). */
  private async referrersFromApi(subject: string, artifactType?: string): Promise<Descriptor[] | undefined> {
    if (this.referrersApi === false) return undefined;
    const url = this.path(`referrers/${subject}`);
    if (artifactType !== undefined) url.searchParams.set("artifactType", artifactType);
    const what = `listing referrers of ${subject}`;
    const response = await this.call(what, "GET", url, { access: "pull", ok: [200, 404], headers: { accept: MEDIA_TYPES.ociIndex }, retry: true });
    // A registry with the API never answers 404 (OCI distribution spec 1.1).
    if (response.status === 404) {
      this.http.discard(response);
      this.referrersApi = false;
      return undefined;
    }
    this.referrersApi = true;
    return parseIndex(await this.read(response, MAX_MANIFEST_BYTES, what), `${this.name}: the referrers of ${subject}`);
  }

  private path(rest: string): URL {
    return new URL(`/v2/${this.repository}/${rest}`, this.base);
  }

  /** One request, authenticated as the registry asks; a status not in `ok` becomes a RegistryError. */
  private async call(what: string, method: Method, url: URL, options: CallOptions): Promise<HttpResponse> {
    try {
      // Credentials go only to the registry itself, never to another host an upload Location names.
      const ours = url.host === this.base.host && url.protocol === this.base.protocol;
      const send = async (authorization: string | undefined) =>
        this.http.send({ method, url, headers: { ...options.headers, ...(authorization ? { authorization } : {}) }, ...(options.body !== undefined ? { body: options.body } : {}), retry: options.retry === true });
      let authorization = ours ? await this.auth.header(options.access) : undefined;
      let response = await send(authorization);
      if (response.status === 401 && ours) {
        // Read the refusal now: it is the error to report if there is nothing new to try.
        const refusal = await this.refusal(what, response);
        if (!(await this.auth.answer(response.headers["www-authenticate"], options.access, authorization))) throw refusal;
        authorization = await this.auth.header(options.access);
        response = await send(authorization);
      }
      if (options.ok.includes(response.status)) return response;
      throw await this.refusal(what, response);
    } catch (e) {
      throw this.redactError(describeFailure(e, this.name, this.host, what, this.options));
    }
  }

  private async refusal(what: string, response: HttpResponse): Promise<RegistryError> {
    const body: Buffer = await this.http.readBody(response, MAX_ERROR_BODY).catch(() => Buffer.alloc(0));
    const detail = distributionErrors(body);
    const status = response.status;
    const message = `${this.name}: ${what}: HTTP ${status}${detail ? ` ${detail}` : ""}`;
    // 404 during an upload: the session was lost (a registry restarted without its state).
    return new RegistryError(message, await this.hintFor(status), { transient: status >= 500 || status === 404 || status === 408 });
  }

  private async hintFor(status: number): Promise<string> {
    if (status === 401) {
      return (await this.auth.hasCredentials())
        ? `the registry refused the credentials found for ${this.host}: log in again (docker login, podman login) or pass --auth-file`
        : `no credentials for ${this.host} in ${describeAuthFiles(this.options.authFile)}: log in (docker login, podman login), or pass --auth-file FILE or set REGISTRY_AUTH_FILE`;
    }
    if (status === 403) return `the credentials for ${this.host} may not do this to ${this.repository}: check the account's permissions`;
    if (status === 404) return `check the repository name and the tag or digest`;
    if (status === 429) return "the registry is limiting requests: wait and try again";
    if (status >= 500) return "the registry failed: try again later, and check its logs";
    return "the registry refused the request";
  }

  private async read(response: HttpResponse, max: number, what: string): Promise<Buffer> {
    try {
      return await this.http.readBody(response, max);
    } catch (e) {
      throw this.redactError(describeFailure(e, this.name, this.host, what, this.options));
    }
  }

  /** Strike every credential and token from a message: a registry may echo what it was sent. */
  private redactError(e: unknown): unknown {
    if (!(e instanceof RegistryError)) return e;
    const clean = (text: string) => {
      let out = text;
      for (const secret of this.auth.secrets) if (secret.length >= 4) out = out.split(secret).join("***");
      return out;
    };
    const message = clean(e.message);
    const hint = e.hint === undefined ? undefined : clean(e.hint);
    return message === e.message && hint === e.hint ? e : new RegistryError(message, hint, { transient: e.transient });
  }
}

/** The tag of a subject's fallback referrers index (OCI distribution spec 1.1). */
export function fallbackTag(subject: string): string {
  return `sha256-${subject.slice("sha256:".length)}`;
}

export function sha256(bytes: Buffer): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** The rule Registry.open applies to a host that answers in plain HTTP: may exo use it? */
export function plainHttpAllowed(hostPort: string, insecureHttp: boolean): boolean {
  return schemesFor(hostPort, insecureHttp).includes("http");
}

function checkDigest(digest: string): void {
  if (!isSha256Digest(digest)) throw new RegistryError(`'${String(digest).slice(0, 100)}' is not a sha256 digest (sha256: and 64 lower-case hex digits)`, "digests name blobs and manifests by their sha256");
}

function checkManifestReference(reference: string): void {
  if (!isSha256Digest(reference) && !TAG.test(reference)) {
    throw new RegistryError(`'${String(reference).slice(0, 140)}' is neither a tag nor a sha256 digest`, "a tag is letters, digits, '_', '.' and '-' (at most 128); a digest is sha256: and 64 hex digits");
  }
}

function header(response: HttpResponse, name: string): string | undefined {
  const v = response.headers[name];
  return typeof v === "string" ? v.trim() : undefined;
}

function mediaTypeOf(response: HttpResponse, bytes: Buffer): string {
  const type = header(response, "content-type")?.split(";")[0]?.trim();
  if (type && type !== "application/json" && type !== "application/octet-stream") return type;
  try {
    const field = (JSON.parse(bytes.toString("utf8")) as { mediaType?: unknown }).mediaType;
    if (typeof field === "string") return field;
  } catch {
    // Not JSON: the registry's content type is all there is.
  }
  return type ?? "application/octet-stream";
}

/** `{"errors":[{code,message}]}` as `CODE: message; CODE: message`, shortened and made printable. */
function distributionErrors(body: Buffer): string {
  let data: unknown;
  try {
    data = JSON.parse(body.toString("utf8"));
  } catch {
    return "";
  }
  const errors = typeof data === "object" && data !== null && Array.isArray((data as { errors?: unknown }).errors) ? ((data as { errors: unknown[] }).errors) : [];
  const parts = errors.slice(0, 5).map((e) => {
    const r = typeof e === "object" && e !== null ? (e as Record<string, unknown>) : {};
    const code = typeof r.code === "string" ? r.code : "";
    const message = typeof r.message === "string" ? r.message : "";
    return [code, message].filter(Boolean).join(": ");
  });
  return quote(parts.filter(Boolean).join("; "));
}

function quote(text: string): string {
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, " ");
  return clean.length > MAX_QUOTED ? `${clean.slice(0, MAX_QUOTED)}...` : clean;
}

function retriable(e: unknown): boolean {
  return e instanceof RegistryError && e.transient;
}

/** Word a failure for the user; a RegistryError or DigestMismatch passes through. */
function describeFailure(e: unknown, name: string, host: string, what: string, opts: RegistryOptions): unknown {
  if (!(e instanceof HttpFailure)) return e;
  switch (e.kind) {
    case "tls-untrusted":
      return new RegistryError(
        `${name}: ${what}: ${host}'s TLS certificate is not trusted (${e.code ?? e.message})`,
        opts.caFile
          ? `the CA in ${opts.caFile} does not vouch for ${host}: check that it is the CA that signed the registry's certificate, and that the certificate names ${hostOf(host)}`
          : `pass the CA that signed it with --ca-file FILE, or set registries["${host}"].ca in exo.config.ts`,
      );
    case "tls":
    case "tls-plain-server":
      return new RegistryError(`${name}: ${what}: the TLS handshake with ${host} failed (${e.code ?? quote(e.message)})`, `check that ${host} speaks HTTPS; for a private CA pass --ca-file FILE or set registries["${host}"].ca in exo.config.ts`);
    case "timeout":
      return new RegistryError(`${name}: ${what}: ${host} sent nothing for ${seconds(opts.timeoutMs ?? timeoutFromEnvironment())}`, "check that the registry is up and reachable; EXO_REGISTRY_TIMEOUT_MS sets how long to wait", { transient: true });
    case "too-large":
      return new RegistryError(`${name}: ${what}: refused: ${e.message}`, "the registry sent more than this can be: it is misconfigured or hostile");
    case "redirect":
      return new RegistryError(`${name}: ${what}: refused ${e.message}`, "the registry (or its storage) redirects somewhere exo will not follow");
    case "broken":
    case "connect":
      return new RegistryError(`${name}: ${what}: cannot reach ${host} (${e.code ?? quote(e.message)})`, "check the host and port, and that the registry is running", { transient: true });
  }
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

async function readCa(file: string): Promise<string> {
  try {
    const pem = await readFile(file, "utf8");
    if (!pem.includes("-----BEGIN CERTIFICATE-----")) throw new RegistryError(`the CA file ${file} holds no PEM certificate`, "pass a PEM file (-----BEGIN CERTIFICATE-----) with --ca-file or registries[host].ca");
    return pem;
  } catch (e) {
    if (e instanceof RegistryError) throw e;
    throw new RegistryError(`cannot read the CA file ${file} (${(e as NodeJS.ErrnoException).code ?? "error"})`, "check --ca-file or registries[host].ca in exo.config.ts");
  }
}
