// OCI references as exo writes them: `oci://HOST[:PORT]/REPO[:TAG][@sha256:HEX]`.
// The scheme makes the first component always the registry (no Docker Hub
// guessing), and only sha256 digests are accepted, since every digest exo
// checks is a sha256 it computes itself.
import { ExoError } from "../errors.ts";

export interface OciReference {
  /** host[:port], as written (lower-cased host). */
  readonly registry: string;
  /** Path components matching the distribution spec's `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`, joined by '/'. */
  readonly repository: string;
  /** `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}` */
  readonly tag?: string;
  /** `sha256:<64 hex>` */
  readonly digest?: string;
}

const SCHEME = "oci://";
const SHAPE = "oci://HOST[:PORT]/REPO[:TAG][@sha256:HEX], e.g. oci://localhost:5000/exo/cache or oci://ghcr.io/org/images:v1";

/** A DNS name or IPv4 address, or [IPv6]; then an optional port. */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::([0-9]{1,5}))?$/;
/** One repository path component (OCI distribution spec). */
const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
export const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
export const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;
/** The distribution spec caps HOST/REPO... at 255 characters. */
const MAX_NAME = 255;

export function isOciReference(text: string): boolean {
  return text.startsWith(SCHEME);
}

export function isSha256Digest(text: string): boolean {
  return SHA256_DIGEST.test(text);
}

/** Parse `oci://HOST[:PORT]/REPO[:TAG][@sha256:HEX]`; `what` names the argument in errors (e.g. "exo push's TARGET"). */
export function parseOciReference(text: string, what: string): OciReference {
  const refuse = (problem: string) =>
    new ExoError("ERR_EXO_USAGE", `${what}: '${printable(text)}' is not an OCI reference: ${problem}`, `expected ${SHAPE}`);
  if (!isOciReference(text)) throw refuse(`it must start with ${SCHEME}`);
  let rest = text.slice(SCHEME.length);

  const slash = rest.indexOf("/");
  if (slash < 0) throw refuse(rest ? "it names a registry but no repository" : "it names no registry");
  const host = rest.slice(0, slash);
  rest = rest.slice(slash + 1);
  const hostMatch = HOST.exec(host);
  if (!host) throw refuse("it names no registry (nothing between oci:// and the first '/')");
  if (!hostMatch) throw refuse(`'${printable(host)}' is not a registry host[:port]`);
  if (hostMatch[1] !== undefined && (Number(hostMatch[1]) < 1 || Number(hostMatch[1]) > 65535)) throw refuse(`port ${hostMatch[1]} is out of range`);

  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digest.startsWith("sha256:")) throw refuse(`the digest '${printable(digest)}' is not a sha256 digest (only sha256 is supported)`);
    if (!SHA256_DIGEST.test(digest)) throw refuse(`the digest '${printable(digest)}' is not sha256: and 64 lower-case hex digits`);
  }

  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw refuse(`the tag '${printable(tag)}' is not valid (letters, digits, '_', '.', '-'; at most 128; not starting with '.' or '-')`);
  }

  const repository = rest;
  if (!repository) throw refuse("it names no repository after the host");
  for (const component of repository.split("/")) {
    if (!COMPONENT.test(component)) {
      throw refuse(
        component
          ? `the repository component '${printable(component)}' is not valid (lower-case letters and digits, separated by '.', '_', '__' or '-')`
          : "the repository has an empty path component ('//' or a trailing '/')",
      );
    }
  }
  const registry = host.toLowerCase();
  if (registry.length + 1 + repository.length > MAX_NAME) throw refuse(`HOST/REPO is longer than ${MAX_NAME} characters`);
  return { registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

export function formatOciReference(ref: OciReference): string {
  return `${SCHEME}${ref.registry}/${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ""}${ref.digest !== undefined ? `@${ref.digest}` : ""}`;
}

/** Control characters from a command line shown as escapes, and a very long argument shortened. */
function printable(text: string): string {
  const clean = JSON.stringify(text).slice(1, -1);
  return clean.length > 200 ? `${clean.slice(0, 200)}...` : clean;
}
