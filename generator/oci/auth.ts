// Authentication as registries ask for it in `WWW-Authenticate`: Basic
// (send the user and password with every request) or Bearer (trade them,
// or nothing, for a token at the realm, one per scope). Credentials are
// looked up only when a registry first asks, so an anonymous registry never
// makes exo read an auth file. Every secret that passes through here is
// remembered so that Registry can strike it from any message.
import type { Credentials } from "./credentials.ts";
import { RegistryError } from "./errors.ts";
import type { HttpClient } from "./http.ts";

export interface Challenge {
  readonly scheme: "basic" | "bearer";
  /** realm, service, scope, error... (keys lower-cased). */
  readonly params: ReadonlyMap<string, string>;
}

/** What a request needs: reading, or reading and writing. */
export type Access = "pull" | "push";

const MAX_TOKEN_ANSWER = 1 << 20;

/**
 * The challenges of a WWW-Authenticate header (or several), Bearer preferred, then Basic;
 * undefined when it holds neither.
 */
export function parseChallenge(header: string | readonly string[] | undefined): Challenge | undefined {
  if (header === undefined) return undefined;
  const all = (typeof header === "string" ? [header] : header).flatMap(splitChallenges);
  return all.find((c) => c.scheme === "bearer") ?? all.find((c) => c.scheme === "basic");
}

function splitChallenges(text: string): Challenge[] {
  const found: Challenge[] = [];
  // scheme, then key=value or key="quoted, with \" escapes" pairs, separated by commas.
  const token = /\s*(?:([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))|([A-Za-z][A-Za-z0-9_-]*))\s*,?/gy;
  let current: { scheme: string; params: Map<string, string> } | undefined;
  let m: RegExpExecArray | null;
  while (token.lastIndex < text.length && (m = token.exec(text)) !== null) {
    if (m[0] === "") break;
    if (m[4] !== undefined) {
      current = { scheme: m[4].toLowerCase(), params: new Map() };
      if (current.scheme === "basic" || current.scheme === "bearer") found.push(current as Challenge);
    } else if (current && m[1] !== undefined) {
      current.params.set(m[1].toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : (m[3] ?? ""));
    }
  }
  return found;
}

export class Authenticator {
  private challenge: Challenge | undefined;
  private credentials: Credentials | undefined | null = null; // null: not looked up yet
  private readonly tokens = new Map<Access, string>();
  /** Every secret seen: Registry strikes them from messages. */
  readonly secrets = new Set<string>();

  constructor(
    private readonly registry: string,
    private readonly repository: string,
    private readonly http: HttpClient,
    private readonly lookUp: () => Promise<Credentials | undefined>,
    /** May credentials go to this host over plain HTTP? (loopback, or a registry allowed plain HTTP) */
    private readonly plainHttpAllowed: (hostPort: string) => boolean,
  ) {}

  /** A 401's challenge: the scheme and realm to use from now on. */
  learn(header: string | readonly string[] | undefined): void {
    const challenge = parseChallenge(header);
    if (challenge) this.challenge = challenge;
  }

  /** The Authorization header for a request needing `access`, if the registry has asked for one. */
  async header(access: Access): Promise<string | undefined> {
    if (!this.challenge) return undefined;
    if (this.challenge.scheme === "basic") {
      const c = await this.getCredentials();
      return c && !c.identityToken ? this.remember(`Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}`) : undefined;
    }
    // A push token also allows pulling.
    const token = this.tokens.get(access) ?? (access === "pull" ? this.tokens.get("push") : undefined);
    return token ? `Bearer ${token}` : undefined;
  }

  /**
   * After a 401 on a request needing `access`: learn its challenge and get what it asks
   * for. True if there is something new to try again with.
   */
  async answer(header: string | readonly string[] | undefined, access: Access, sent: string | undefined): Promise<boolean> {
    this.learn(header);
    if (!this.challenge) return false;
    if (this.challenge.scheme === "basic") {
      const next = await this.header(access);
      return next !== undefined && next !== sent;
    }
    const token = await this.fetchToken(access);
    this.tokens.set(access, token);
    return `Bearer ${token}` !== sent;
  }

  /** Whether credentials were found (after a 401, to word the error). */
  async hasCredentials(): Promise<boolean> {
    return (await this.getCredentials()) !== undefined;
  }

  private async getCredentials(): Promise<Credentials | undefined> {
    if (this.credentials === null) {
      this.credentials = await this.lookUp();
      if (this.credentials) {
        for (const s of [this.credentials.password, this.credentials.identityToken]) if (s) this.remember(s);
      }
    }
    return this.credentials;
  }

  private async fetchToken(access: Access): Promise<string> {
    const params = this.challenge!.params;
    const realmText = params.get("realm");
    const what = `${this.registry}/${this.repository}`;
    if (!realmText) throw new RegistryError(`${what}: the registry asks for a Bearer token but names no realm to get it from`, "the registry is misconfigured");
    let realm: URL;
    try {
      realm = new URL(realmText);
    } catch {
      throw new RegistryError(`${what}: the registry's token realm is not a URL`, "the registry is misconfigured");
    }
    if (realm.protocol !== "https:" && !(realm.protocol === "http:" && this.plainHttpAllowed(realm.host))) {
      throw new RegistryError(`${what}: the registry's token service ${realm.protocol}//${realm.host} is not HTTPS; exo sends no credentials in the clear`, "use an HTTPS token service, or --insecure-http if that host is the registry itself");
    }
    realm.username = "";
    realm.password = "";
    const scope = `repository:${this.repository}:${access === "push" ? "pull,push" : "pull"}`;
    const service = params.get("service");
    const credentials = await this.getCredentials();
    let response;
    if (credentials?.identityToken) {
      // OAuth2 refresh-token grant: what docker does with an identity token.
      const form = new URLSearchParams({ grant_type: "refresh_token", refresh_token: credentials.identityToken, client_id: "exo", scope, ...(service ? { service } : {}) });
      response = await this.http.send({ method: "POST", url: realm, headers: { "content-type": "application/x-www-form-urlencoded" }, body: Buffer.from(form.toString()) });
    } else {
      const url = new URL(realm);
      if (service) url.searchParams.set("service", service);
      url.searchParams.append("scope", scope);
      const headers: Record<string, string> = {};
      if (credentials) headers.authorization = this.remember(`Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`);
      response = await this.http.send({ method: "GET", url, headers, retry: true });
    }
    const body = await this.http.readBody(response, MAX_TOKEN_ANSWER);
    if (response.status !== 200) {
      const hint = credentials ? `check the credentials for ${this.registry} in ${credentials.source}` : `log in to ${this.registry} (docker login, podman login) or pass --auth-file`;
      throw new RegistryError(`${what}: the token service ${realm.host} refused (HTTP ${response.status})`, hint);
    }
    let answer: unknown;
    try {
      answer = JSON.parse(body.toString("utf8"));
    } catch {
      throw new RegistryError(`${what}: the token service ${realm.host} answered something that is not JSON`, "the registry's token service is misconfigured");
    }
    const record = typeof answer === "object" && answer !== null ? (answer as Record<string, unknown>) : {};
    const field = (name: string) => (Object.hasOwn(record, name) && typeof record[name] === "string" ? (record[name] as string) : "");
    const token = field("token") || field("access_token");
    if (!token) throw new RegistryError(`${what}: the token service ${realm.host} answered without a token`, "the registry's token service is misconfigured");
    if (!/^[\x21-\x7e]+$/.test(token)) throw new RegistryError(`${what}: the token service ${realm.host} answered a token that cannot go in a header`, "the registry's token service is misconfigured");
    this.remember(token);
    return token;
  }

  private remember(secret: string): string {
    this.secrets.add(secret);
    // The header form of a Basic secret holds the base64 text; strike that too.
    if (secret.startsWith("Basic ")) this.secrets.add(secret.slice(6));
    return secret;
  }
}
