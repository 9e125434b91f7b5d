// HTTP for registries, on node:http and node:https (not fetch, so that a
// custom CA can be added to Node's roots). It knows nothing of the registry
// protocol: it sends one request, follows redirects for reads, retries a
// request once when the connection broke before any answer, stops waiting
// on a connection that stalls, and reads bodies under a size cap. Every
// failure is an HttpFailure: the registry layer words it for the user.
import { createReadStream } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import { isIP } from "node:net";
import { rootCertificates } from "node:tls";

export type Method = "GET" | "HEAD" | "PUT" | "POST" | "PATCH" | "DELETE";

export type Body = Buffer | { readonly file: string; readonly size: number };

export interface HttpRequest {
  readonly method: Method;
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Body;
  /** Send it again once if the connection broke before any answer (a keep-alive socket the server had closed, a restart). */
  readonly retry?: boolean;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /** Where the answer came from, after redirects. */
  readonly url: URL;
  /** The body, not read yet: read it with readBody or streamBody, or throw it away with discard. */
  readonly body: http.IncomingMessage;
}

export interface TransferStats {
  sent: number;
  received: number;
  requests: number;
}

/** Why a request failed below HTTP: no connection, a TLS problem, a stall, a body too big. */
export class HttpFailure extends Error {
  constructor(
    readonly kind: "connect" | "tls-untrusted" | "tls-plain-server" | "tls" | "timeout" | "too-large" | "redirect" | "broken",
    message: string,
    /** The system error code (ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT, ...) when there was one. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** The default wait for a silent connection; EXO_REGISTRY_TIMEOUT_MS overrides it. */
export const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 5;
/** Errors of a connection that broke before the server answered: safe to send an idempotent request again. */
const BROKEN_CONNECTION = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ECONNABORTED"]);
/** Certificate errors: the server speaks TLS but is not trusted. Never a reason to try plain HTTP. */
const UNTRUSTED_CERTIFICATE = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_SIGNATURE_FAILURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);
/** What OpenSSL reports when the server answered a TLS hello in plain HTTP. */
const PLAIN_SERVER = /wrong version number|packet length too long|http request|unknown protocol/i;

export function timeoutFromEnvironment(): number {
  const text = process.env.EXO_REGISTRY_TIMEOUT_MS;
  const n = text === undefined ? NaN : Number(text);
  return Number.isInteger(n) && n > 0 ? n : DEFAULT_TIMEOUT_MS;
}

/** localhost, 127.0.0.0/8 or ::1: the only hosts exo speaks plain HTTP to without being told. */
export function isLoopbackHost(hostPort: string): boolean {
  const host = hostOf(hostPort).toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  if (isIP(host) === 6) return host === "::1" || host === "0:0:0:0:0:0:0:1";
  return false;
}

/** The host of `host[:port]` or `[v6]:port`, without brackets. */
export function hostOf(hostPort: string): string {
  if (hostPort.startsWith("[")) return hostPort.slice(1, hostPort.indexOf("]"));
  const colon = hostPort.lastIndexOf(":");
  return colon >= 0 ? hostPort.slice(0, colon) : hostPort;
}

/**
 * The schemes to try, in order. HTTPS always comes first (skopeo's rule: https unless
 * insecure): one refused TLS hello costs a loopback registry a millisecond, and trying
 * plain HTTP first would send a request, and perhaps credentials, in the clear to a
 * server that speaks TLS. Plain HTTP follows only for loopback or when allowed.
 */
export function schemesFor(hostPort: string, insecureHttp: boolean): readonly ("https" | "http")[] {
  return isLoopbackHost(hostPort) || insecureHttp ? ["https", "http"] : ["https"];
}

export class HttpClient {
  readonly stats: TransferStats = { sent: 0, received: 0, requests: 0 };
  private readonly httpsAgent: https.Agent;
  private readonly httpAgent: http.Agent;

  constructor(
    private readonly options: {
      /** Extra CA certificates (PEM), trusted beside Node's roots. */
      readonly caPem?: string;
      readonly timeoutMs: number;
      /** May a redirect lead to this host over plain HTTP? */
      readonly plainHttpAllowed: (hostPort: string) => boolean;
    },
  ) {
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 8, ...(options.caPem ? { ca: [...rootCertificates, options.caPem] } : {}) });
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  }

  /** Close idle connections (a CLI process should not wait for them). */
  close(): void {
    this.httpsAgent.destroy();
    this.httpAgent.destroy();
  }

  /** Send a request. GET and HEAD follow redirects, dropping Authorization when the host changes. */
  async send(request: HttpRequest): Promise<HttpResponse> {
    let url = request.url;
    let headers = { ...request.headers };
    for (let hop = 0; ; hop++) {
      const response = await this.sendOnce({ ...request, url, headers });
      const location = response.headers.location;
      const follow = (request.method === "GET" || request.method === "HEAD") && [301, 302, 303, 307, 308].includes(response.status) && location;
      if (!follow) return response;
      response.body.resume();
      if (hop >= MAX_REDIRECTS) throw new HttpFailure("redirect", `more than ${MAX_REDIRECTS} redirects`);
      const next = new URL(location, url);
      if (next.protocol !== "https:" && next.protocol !== "http:") throw new HttpFailure("redirect", `a redirect to a ${next.protocol} address`);
      if (next.protocol === "http:" && url.protocol === "https:" && !this.options.plainHttpAllowed(next.host)) {
        throw new HttpFailure("redirect", `a redirect from HTTPS to plain HTTP at ${next.host}`);
      }
      // Credentials are for the registry: S3 or a CDN behind a redirect gets a signed URL instead.
      if (next.host !== url.host || next.protocol !== url.protocol) {
        headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== "authorization"));
      }
      url = next;
    }
  }

  private async sendOnce(request: HttpRequest): Promise<HttpResponse> {
    try {
      return await this.attempt(request);
    } catch (e) {
      if (request.retry && e instanceof HttpFailure && e.kind === "broken") return this.attempt(request);
      throw e;
    }
  }

  private attempt(request: HttpRequest): Promise<HttpResponse> {
    const { url, body } = request;
    const secure = url.protocol === "https:";
    const size = body === undefined ? 0 : Buffer.isBuffer(body) ? body.length : body.size;
    const headers: Record<string, string> = { "user-agent": "exo", ...request.headers };
    if (body !== undefined || request.method === "PUT" || request.method === "POST" || request.method === "PATCH") headers["content-length"] = String(size);
    this.stats.requests++;
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (e: HttpFailure) => {
        if (settled) return;
        settled = true;
        reject(e);
      };
      let answer: http.IncomingMessage | undefined;
      const req = (secure ? https : http).request(url, { method: request.method, headers, agent: secure ? this.httpsAgent : this.httpAgent });
      // The socket's idle timer: it stays armed while the body is read, so a body
      // that stalls after the headers fails the same way, with this error.
      req.setTimeout(this.options.timeoutMs, () => {
        const stalled = new HttpFailure("timeout", `no data for ${this.options.timeoutMs} ms`);
        answer?.destroy(stalled);
        req.destroy(stalled);
      });
      req.on("error", (e) => fail(classify(e)));
      req.on("response", (res) => {
        if (settled) return;
        settled = true;
        answer = res;
        res.on("error", () => {});
        resolve({ status: res.statusCode ?? 0, headers: res.headers, url, body: res });
      });
      if (body === undefined) req.end();
      else if (Buffer.isBuffer(body)) {
        this.stats.sent += body.length;
        req.end(body);
      } else {
        const file = createReadStream(body.file);
        file.on("data", (chunk) => (this.stats.sent += chunk.length));
        file.on("error", (e) => req.destroy(new HttpFailure("broken", `reading ${body.file}: ${e.message}`)));
        file.pipe(req);
      }
    });
  }

  /** Read a whole body, refusing more than `max` bytes. */
  readBody(response: HttpResponse, max: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let total = 0;
      this.streamBody(response, max, (chunk) => {
        chunks.push(chunk);
        total += chunk.length;
      }).then(() => resolve(Buffer.concat(chunks, total)), reject);
    });
  }

  /**
   * Feed a body to `onChunk`, refusing more than `max` bytes (announced or sent). The
   * promise settles when the body ended, or with the first error of the body or of onChunk.
   */
  streamBody(response: HttpResponse, max: number, onChunk: (chunk: Buffer) => void | Promise<void>): Promise<void> {
    const body = response.body;
    const announced = Number(response.headers["content-length"]);
    if (Number.isFinite(announced) && announced > max) {
      body.destroy();
      return Promise.reject(new HttpFailure("too-large", `it announced ${announced} bytes, more than the ${max} allowed`));
    }
    return new Promise((resolve, reject) => {
      let total = 0;
      let done = false;
      const finish = (e?: unknown) => {
        if (done) return;
        done = true;
        if (e === undefined) resolve();
        else {
          body.destroy();
          reject(e instanceof HttpFailure ? e : classify(e));
        }
      };
      body.on("data", (chunk: Buffer) => {
        total += chunk.length;
        this.stats.received += chunk.length;
        if (total > max) return finish(new HttpFailure("too-large", `it sent more than the ${max} bytes allowed`));
        const wait = onChunk(chunk);
        if (wait) {
          body.pause();
          wait.then(() => body.resume(), finish);
        }
      });
      body.on("end", () => {
        if (!body.complete) finish(new HttpFailure("broken", "the connection closed before the whole body arrived"));
        else finish();
      });
      body.on("error", (e) => finish(e));
      body.on("close", () => {
        if (!body.complete) finish(new HttpFailure("broken", "the connection closed before the whole body arrived"));
      });
    });
  }

  /** Throw away a body not needed, so the connection can be used again. */
  discard(response: HttpResponse): void {
    response.body.resume();
  }
}

function classify(e: unknown): HttpFailure {
  if (e instanceof HttpFailure) return e;
  const err = e as NodeJS.ErrnoException;
  const code = typeof err?.code === "string" ? err.code : undefined;
  const message = err instanceof Error ? err.message : String(e);
  if (code && UNTRUSTED_CERTIFICATE.has(code)) return new HttpFailure("tls-untrusted", message, code);
  if (PLAIN_SERVER.test(message) || code === "ERR_SSL_WRONG_VERSION_NUMBER") return new HttpFailure("tls-plain-server", message, code);
  if (code?.startsWith("ERR_SSL") || code?.startsWith("ERR_TLS") || /ssl|tls/i.test(message)) return new HttpFailure("tls", message, code);
  if ((code && BROKEN_CONNECTION.has(code)) || /socket hang up/i.test(message)) return new HttpFailure("broken", message, code);
  return new HttpFailure("connect", message, code);
}
