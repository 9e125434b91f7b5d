// The OCI distribution client against the real registry (Debian's
// docker-registry): blobs, manifests, referrers, TLS with a private CA and
// htpasswd auth; and against small hostile servers written here: stalls,
// lies about digests and sizes, redirects to other hosts, echoed secrets,
// lost upload sessions and broken connections.
import test from "ava";
import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import { ExoError } from "../../generator/errors.ts";
import { parseChallenge } from "../../generator/oci/auth.ts";
import { authFiles, findCredentials } from "../../generator/oci/credentials.ts";
import { isLoopbackHost, schemesFor } from "../../generator/oci/http.ts";
import { formatOciReference, isOciReference, parseOciReference } from "../../generator/oci/reference.ts";
import { DigestMismatch, fallbackTag, plainHttpAllowed, Registry, RegistryError, sha256, type RegistryOptions } from "../../generator/oci/registry.ts";
import { registryOptions } from "../../generator/cli/registry-flags.ts";
import { startRegistry, TEST_PASSWORD, type TestRegistry } from "../helpers/registry.ts";

const run = promisify(execFile);
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const EMPTY = { mediaType: "application/vnd.oci.empty.v1+json", digest: sha256(Buffer.from("{}")), size: 2 };

const started: TestRegistry[] = [];
async function registry(opts: Parameters<typeof startRegistry>[0] = {}): Promise<TestRegistry> {
  const r = await startRegistry(opts);
  started.push(r);
  return r;
}
const servers: http.Server[] = [];
const opened: Registry[] = [];
test.after.always(async () => {
  for (const r of opened) r.close();
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  await Promise.all(started.map((r) => r.stop()));
});

/** One plain-HTTP registry shared by the tests that need nothing special, started when first needed. */
let sharedRegistry: Promise<TestRegistry> | undefined;
function shared(): Promise<TestRegistry> {
  return (sharedRegistry ??= registry());
}

async function open(r: TestRegistry, repo: string, opts: RegistryOptions = {}): Promise<Registry> {
  const reg = await Registry.open(parseOciReference(r.url(repo), "test"), { ...(r.caFile ? { caFile: r.caFile } : {}), ...opts });
  opened.push(reg);
  return reg;
}

async function scratch(): Promise<string> {
  const dir = join(tmpdir(), "exo-oci-client-test");
  await mkdir(dir, { recursive: true });
  return mkdtemp(join(dir, "t-"));
}

/** An OCI manifest of one layer (the registry checks that the blobs exist). */
async function pushImageManifest(reg: Registry, layer: Buffer, extra: Record<string, unknown> = {}): Promise<{ bytes: Buffer; digest: string }> {
  await reg.pushBlob(Buffer.from("{}"), EMPTY.digest);
  await reg.pushBlob(layer, sha256(layer));
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: EMPTY, layers: [{ mediaType: "application/octet-stream", digest: sha256(layer), size: layer.length }], ...extra }));
  return { bytes, digest: sha256(bytes) };
}

function blobFile(r: TestRegistry, digest: string): string {
  const hex = digest.slice("sha256:".length);
  return join(r.storage, "docker/registry/v2/blobs/sha256", hex.slice(0, 2), hex, "data");
}

// ---------------------------------------------------------------- references

test("parseOciReference accepts registries with ports, nested repositories, tags and digests", (t) => {
  const hex = "a".repeat(64);
  t.deepEqual(parseOciReference("oci://localhost:5000/exo/cache", "T"), { registry: "localhost:5000", repository: "exo/cache" });
  t.deepEqual(parseOciReference("oci://GHCR.io/org/images:v1.2_3", "T"), { registry: "ghcr.io", repository: "org/images", tag: "v1.2_3" });
  t.deepEqual(parseOciReference(`oci://127.0.0.1:5000/a/b/c@sha256:${hex}`, "T"), { registry: "127.0.0.1:5000", repository: "a/b/c", digest: `sha256:${hex}` });
  t.deepEqual(parseOciReference(`oci://[::1]:5000/my-repo__x.y:latest@sha256:${hex}`, "T"), { registry: "[::1]:5000", repository: "my-repo__x.y", tag: "latest", digest: `sha256:${hex}` });
  for (const text of ["oci://localhost:5000/exo/cache", "oci://ghcr.io/org/images:v1", `oci://h/r:t@sha256:${hex}`]) {
    t.is(formatOciReference(parseOciReference(text, "T")), text);
  }
  t.true(isOciReference("oci://x/y"));
  t.false(isOciReference("result"));
  t.false(isOciReference("docker://x/y"));
});

test("parseOciReference refuses bad references naming the argument, the text and what was expected", (t) => {
  const cases: [string, RegExp][] = [
    ["localhost:5000/exo", /must start with oci:\/\//],
    ["oci://localhost:5000", /no repository/],
    ["oci:///exo", /no registry/],
    ["oci://bad_host/exo", /not a registry host/],
    ["oci://host:99999/exo", /port 99999 is out of range/],
    ["oci://host/Exo", /repository component 'Exo'/],
    ["oci://host/exo//cache", /empty path component/],
    ["oci://host/exo/", /empty path component/],
    ["oci://host/exo:-bad", /tag '-bad'/],
    [`oci://host/exo:${"t".repeat(129)}`, /tag/],
    ["oci://host/exo@sha512:abcd", /not a sha256 digest/],
    ["oci://host/exo@sha256:ABC", /64 lower-case hex/],
    [`oci://host/${"a".repeat(260)}`, /longer than 255/],
  ];
  for (const [text, problem] of cases) {
    const e = t.throws(() => parseOciReference(text, "exo push's TARGET"), { instanceOf: ExoError }, text);
    t.is(e?.code, "ERR_EXO_USAGE");
    t.regex(e?.message ?? "", /^exo push's TARGET: '.*' is not an OCI reference: /, text);
    t.regex(e?.message ?? "", problem, text);
    t.true(e?.message.includes(text.slice(0, 30)), text);
    t.regex(e?.hint ?? "", /oci:\/\/HOST\[:PORT\]\/REPO\[:TAG\]\[@sha256:HEX\]/);
  }
  // Control characters from a command line are shown, not printed raw.
  t.regex(t.throws(() => parseOciReference("oci://host/a\u001b[31m", "X"))!.message, /\\u001b/);
});

// ---------------------------------------------------------------- transport rules

test("plain HTTP only to loopback, or when allowed", (t) => {
  for (const host of ["localhost", "localhost:5000", "127.0.0.1:5000", "127.1.2.3", "[::1]:5000", "registry.localhost:80"]) t.true(isLoopbackHost(host), host);
  for (const host of ["registry.example.com:5000", "10.0.0.1:5000", "[2001:db8::1]:5000", "128.0.0.1", "localhost.example.com", "127.0.0.1.nip.io"]) t.false(isLoopbackHost(host), host);
  t.true(plainHttpAllowed("127.0.0.1:5000", false));
  t.false(plainHttpAllowed("registry.example.com:5000", false));
  t.true(plainHttpAllowed("registry.example.com:5000", true));
  // HTTPS is always tried first, even on loopback.
  t.deepEqual(schemesFor("127.0.0.1:5000", false), ["https", "http"]);
  t.deepEqual(schemesFor("registry.example.com", false), ["https"]);
});

test("a plain-HTTP registry off loopback is refused without --insecure-http, and used with it", async (t) => {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === "IPv4" && !a.internal)?.address;
  if (!address) return t.log("no non-loopback IPv4 address on this machine: only the pure rule above is checked") as unknown as void, t.pass();
  const fake = await fakeServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  }, "0.0.0.0");
  const ref = { registry: `${address}:${fake.port}`, repository: "exo/plain" };
  const e = await t.throwsAsync(Registry.open(ref), { instanceOf: RegistryError });
  t.regex(e!.message, new RegExp(`${address.replace(/\./g, "\\.")}:${fake.port}.*plain HTTP`));
  t.regex(e!.hint ?? "", /--insecure-http/);
  const reg = await Registry.open(ref, { insecureHttp: true });
  opened.push(reg);
  t.is(reg.name, `${address}:${fake.port}/exo/plain`);
});

test("registryOptions merges exo.config.ts registries with the flags, flags winning", (t) => {
  const project = { registries: { "Registry.Example.com:5000": { caFile: "/etc/ca.pem", insecureHttp: true } } };
  const ref = parseOciReference("oci://registry.example.com:5000/x", "T");
  t.deepEqual(registryOptions(project, ref, {}), { caFile: "/etc/ca.pem", insecureHttp: true });
  t.deepEqual(registryOptions(project, ref, { "ca-file": "/other.pem", "auth-file": "/auth.json" }), { caFile: "/other.pem", insecureHttp: true, authFile: "/auth.json" });
  t.deepEqual(registryOptions({ registries: {} }, ref, { "insecure-http": true }), { insecureHttp: true });
  t.deepEqual(registryOptions({ registries: {} }, ref, {}), {});
});

// ---------------------------------------------------------------- blobs and manifests

test("a blob is pushed once (HEAD dedup), fetched whole and downloaded to a file", async (t) => {
  const r = await shared();
  const reg = await open(r, "exo/blobs");
  const data = Buffer.from(`blob ${Date.now()} ${Math.random()}`);
  const digest = sha256(data);
  t.false(await reg.hasBlob(digest));
  t.is(await reg.pushBlob(data, digest), data.length);
  t.true(await reg.hasBlob(digest));
  const before = reg.stats.sent;
  t.is(await reg.pushBlob(data, digest), 0);
  t.is(reg.stats.sent, before, "the second push sent no body");
  t.deepEqual(await reg.getBlob(digest, 1 << 20), data);

  const dir = await scratch();
  const file = join(dir, "blob");
  await reg.downloadBlob(digest, file, 1 << 20);
  t.deepEqual(await readFile(file), data);
  t.is((await stat(file)).mode & 0o777 & ~process.umask(), 0o644 & ~process.umask());

  // A file streamed from disk.
  const big = Buffer.alloc(3 << 20, 7);
  big.write(String(Math.random()));
  await writeFile(join(dir, "big"), big);
  t.is(await reg.pushBlob({ file: join(dir, "big"), size: big.length }, sha256(big)), big.length);
  // (equals: ava's deepEqual takes seconds over megabytes)
  t.true((await reg.getBlob(sha256(big), big.length)).equals(big));
  t.true(reg.stats.received >= data.length * 2 + big.length);
  t.true(reg.stats.requests > 0);
});

test("a blob larger than maxBytes is refused, and the download file removed", async (t) => {
  const r = await shared();
  const reg = await open(r, "exo/caps");
  const data = Buffer.alloc(4096, 1);
  await reg.pushBlob(data, sha256(data));
  const e = await t.throwsAsync(reg.getBlob(sha256(data), 4095), { instanceOf: RegistryError });
  t.regex(e!.message, /exo\/caps: fetching blob sha256:[0-9a-f]{64}: refused: .*4096.*4095/);
  const file = join(await scratch(), "capped");
  await t.throwsAsync(reg.downloadBlob(sha256(data), file, 100), { instanceOf: RegistryError });
  await t.throwsAsync(stat(file), { code: "ENOENT" });
});

test("a blob tampered with in the registry's storage is refused (DigestMismatch), and nothing kept", async (t) => {
  const r = await shared();
  const reg = await open(r, "exo/tamper");
  const data = Buffer.from(`honest bytes ${Math.random()}`);
  const digest = sha256(data);
  await reg.pushBlob(data, digest);
  const evil = Buffer.from(data);
  evil[0] = evil[0]! ^ 0xff;
  await writeFile(blobFile(r, digest), evil);
  const e = await t.throwsAsync(reg.getBlob(digest, 1 << 20), { instanceOf: DigestMismatch });
  t.is(e!.code, "ERR_EXO_REGISTRY_DIGEST");
  t.true(e!.message.includes(digest));
  t.true(e!.message.includes(`${r.host}/exo/tamper`));
  t.true(e!.message.includes(sha256(evil)));
  const file = join(await scratch(), "tampered");
  await t.throwsAsync(reg.downloadBlob(digest, file, 1 << 20), { instanceOf: DigestMismatch });
  await t.throwsAsync(stat(file), { code: "ENOENT" });
});

test("manifests are put and got by tag and by digest; a missing one is undefined", async (t) => {
  const r = await shared();
  const reg = await open(r, "exo/manifests");
  const { bytes, digest } = await pushImageManifest(reg, Buffer.from(`layer ${Math.random()}`));
  t.is(await reg.putManifest("v1", bytes, OCI_MANIFEST), digest);
  const byTag = await reg.getManifest("v1");
  t.deepEqual(byTag, { bytes, digest, mediaType: OCI_MANIFEST });
  t.deepEqual(await reg.getManifest(digest), { bytes, digest, mediaType: OCI_MANIFEST });
  t.is(await reg.manifestDigest("v1"), digest);
  t.is(await reg.manifestDigest(digest), digest);
  t.is(await reg.getManifest("nope"), undefined);
  t.is(await reg.manifestDigest("nope"), undefined);
  t.is(await reg.getManifest(sha256(Buffer.from("absent"))), undefined);
  // By digest only.
  const other = await pushImageManifest(reg, Buffer.from(`other ${Math.random()}`));
  t.is(await reg.putManifest(other.digest, other.bytes, OCI_MANIFEST), other.digest);
  t.deepEqual((await reg.getManifest(other.digest))?.bytes, other.bytes);
  // A reference that is neither a tag nor a digest never reaches the registry.
  await t.throwsAsync(reg.getManifest("../../v2"), { instanceOf: RegistryError, message: /neither a tag nor a sha256 digest/ });
  await t.throwsAsync(reg.hasBlob("sha256:../x"), { instanceOf: RegistryError, message: /not a sha256 digest/ });
});

test("a manifest the registry refuses is reported with the distribution error code and message", async (t) => {
  const r = await shared();
  const reg = await open(r, "exo/refused");
  const missing = sha256(Buffer.from(`never pushed ${Math.random()}`));
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: EMPTY, layers: [{ mediaType: "application/octet-stream", digest: missing, size: 1 }] }));
  await reg.pushBlob(Buffer.from("{}"), EMPTY.digest);
  const e = await t.throwsAsync(reg.putManifest("bad", bytes, OCI_MANIFEST), { instanceOf: RegistryError });
  t.is(e!.code, "ERR_EXO_REGISTRY");
  t.regex(e!.message, new RegExp(`^${r.host}/exo/refused: pushing manifest bad: HTTP 400 MANIFEST_BLOB_UNKNOWN: `));
});

test("referrers round-trip through the sha256-<hex> fallback index, filtered by artifactType", async (t) => {
  const r = await shared();
  const reg = await open(r, "exo/referrers");
  const subject = await pushImageManifest(reg, Buffer.from(`subject ${Math.random()}`));
  await reg.putManifest("image", subject.bytes, OCI_MANIFEST);
  t.deepEqual(await reg.referrers(subject.digest), []);

  const subjectDescriptor = { mediaType: OCI_MANIFEST, digest: subject.digest, size: subject.bytes.length };
  const referrers = [];
  for (const [artifactType, text] of [["application/vnd.exo.sbom.v1+json", "sbom"], ["application/vnd.exo.signature.v1", "sig"]] as const) {
    const m = await pushImageManifest(reg, Buffer.from(`${text} ${Math.random()}`), { artifactType, subject: subjectDescriptor });
    await reg.putManifest(m.digest, m.bytes, OCI_MANIFEST);
    const descriptor = { mediaType: OCI_MANIFEST, digest: m.digest, size: m.bytes.length, artifactType, annotations: { "org.opencontainers.image.title": text } };
    await reg.addReferrer(subject.digest, descriptor);
    referrers.push(descriptor);
  }
  // Recording one twice changes nothing.
  await reg.addReferrer(subject.digest, referrers[0]!);
  t.deepEqual(await reg.referrers(subject.digest), referrers);
  t.deepEqual(await reg.referrers(subject.digest, "application/vnd.exo.signature.v1"), [referrers[1]]);
  t.deepEqual(await reg.referrers(subject.digest, "application/vnd.other"), []);

  // A fresh client (another machine) sees the same, and so does skopeo.
  const again = await open(r, "exo/referrers");
  t.deepEqual(await again.referrers(subject.digest), referrers);
  const { stdout } = await run("skopeo", ["inspect", "--raw", "--tls-verify=false", `docker://${r.host}/exo/referrers:${fallbackTag(subject.digest)}`]);
  const index = JSON.parse(stdout) as { mediaType: string; manifests: { digest: string }[] };
  t.is(index.mediaType, "application/vnd.oci.image.index.v1+json");
  t.deepEqual(index.manifests.map((m) => m.digest), referrers.map((d) => d.digest));
});

// ---------------------------------------------------------------- TLS and auth

test("HTTPS with the registry's CA works; without it the host is refused, naming --ca-file", async (t) => {
  const r = await registry({ tls: true });
  const reg = await open(r, "exo/tls");
  const data = Buffer.from("over tls");
  t.is(await reg.pushBlob(data, sha256(data)), data.length);
  t.deepEqual(await reg.getBlob(sha256(data), 100), data);

  const ref = parseOciReference(r.url("exo/tls"), "T");
  const e = await t.throwsAsync(Registry.open(ref), { instanceOf: RegistryError });
  t.true(e!.message.includes(r.host), e!.message);
  t.regex(e!.message, /certificate is not trusted/);
  t.regex(e!.hint ?? "", /--ca-file/);
  t.regex(e!.hint ?? "", /registries\[/);
  // Never a silent fall back to plain HTTP on loopback: the server speaks TLS.
  const wrongCa = join(await scratch(), "other-ca.pem");
  const other = await registry({ tls: true });
  await writeFile(wrongCa, await readFile(other.caFile!));
  await t.throwsAsync(Registry.open(ref, { caFile: wrongCa }), { instanceOf: RegistryError, message: /not trusted/ });
  await t.throwsAsync(Registry.open(ref, { caFile: join(await scratch(), "missing.pem") }), { instanceOf: RegistryError, message: /cannot read the CA file/ });
});

test.serial("htpasswd auth: works with the auth file in REGISTRY_AUTH_FILE, fails without, never showing the password", async (t) => {
  const r = await registry({ htpasswd: true });
  const ref = parseOciReference(r.url("exo/auth"), "T");
  const saved = process.env.REGISTRY_AUTH_FILE;
  t.teardown(() => {
    if (saved === undefined) delete process.env.REGISTRY_AUTH_FILE;
    else process.env.REGISTRY_AUTH_FILE = saved;
  });

  process.env.REGISTRY_AUTH_FILE = r.authFile!;
  const reg = await Registry.open(ref);
  opened.push(reg);
  const data = Buffer.from("authenticated");
  t.is(await reg.pushBlob(data, sha256(data)), data.length);
  t.deepEqual(await reg.getBlob(sha256(data), 100), data);

  const dir = await scratch();
  const empty = join(dir, "empty.json");
  await writeFile(empty, `{"auths":{}}`);
  process.env.REGISTRY_AUTH_FILE = empty;
  const anonymous = await Registry.open(ref);
  opened.push(anonymous);
  const e1 = await t.throwsAsync(anonymous.getBlob(sha256(data), 100), { instanceOf: RegistryError });
  t.regex(e1!.message, /exo\/auth: fetching blob sha256:[0-9a-f]{64}: HTTP 401 UNAUTHORIZED: authentication required/);
  t.regex(e1!.hint ?? "", /no credentials for 127\.0\.0\.1:\d+ in .*empty\.json/);

  const wrongPassword = "wr0ng-Passw0rd";
  const wrong = join(dir, "wrong.json");
  await writeFile(wrong, JSON.stringify({ auths: { [r.host]: { auth: Buffer.from(`exo:${wrongPassword}`).toString("base64") } } }));
  process.env.REGISTRY_AUTH_FILE = wrong;
  const refused = await Registry.open(ref);
  opened.push(refused);
  const e2 = await t.throwsAsync(refused.pushBlob(data, sha256(data)), { instanceOf: RegistryError });
  t.regex(e2!.hint ?? "", /refused the credentials/);
  for (const e of [e1!, e2!]) assertNoSecret(t, e, [TEST_PASSWORD, wrongPassword, Buffer.from(`exo:${wrongPassword}`).toString("base64"), Buffer.from(`exo:${TEST_PASSWORD}`).toString("base64")]);

  // --auth-file wins over the environment.
  const viaOption = await open(r, "exo/auth", { authFile: r.authFile! });
  t.true(await viaOption.hasBlob(sha256(data)));
});

// ---------------------------------------------------------------- auth files and challenges

test("auth files: where they are looked for, and what is read from them", async (t) => {
  t.deepEqual(authFiles("/a.json", { REGISTRY_AUTH_FILE: "/b.json" }), { files: ["/a.json"], explicit: true });
  t.deepEqual(authFiles(undefined, { REGISTRY_AUTH_FILE: "/b.json", XDG_RUNTIME_DIR: "/run/u" }), { files: ["/b.json"], explicit: true });
  t.deepEqual(authFiles(undefined, { XDG_RUNTIME_DIR: "/run/u", DOCKER_CONFIG: "/d", HOME: "/h" }), { files: ["/run/u/containers/auth.json", "/d/config.json"], explicit: false });
  t.deepEqual(authFiles(undefined, { HOME: "/h" }), { files: ["/h/.docker/config.json"], explicit: false });

  const dir = await scratch();
  const file = join(dir, "config.json");
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  // Written as text: an object literal's __proto__ would set a prototype, not a key.
  await writeFile(
    file,
    `{"auths": {
      "https://registry.example.com/v1/": {"auth": "${b64("docker:pw1:with:colons")}"},
      "registry.example.com/team/app": {"username": "team", "password": "pw2"},
      "other.example.com": {"identitytoken": "refresh-me"},
      "__proto__": {"auth": "${b64("evil:proto")}", "polluted": "yes"}
    }, "__proto__": {"polluted": "yes"}}`,
  );
  const env = { HOME: dir };
  t.like(await findCredentials("registry.example.com", "some/repo", file, env), { username: "docker", password: "pw1:with:colons", source: file });
  t.like(await findCredentials("registry.example.com", "team/app/sub", file, env), { username: "team", password: "pw2" });
  t.like(await findCredentials("other.example.com", "x", file, env), { identityToken: "refresh-me" });
  t.is(await findCredentials("nowhere.example.com", "x", file, env), undefined);
  // A host key named __proto__ is a key like any other, and pollutes nothing.
  t.like(await findCredentials("__proto__", "x", file, env), { username: "evil", password: "proto" });
  t.is(await findCredentials("constructor", "x", file, env), undefined);
  t.is(await findCredentials("tostring", "x", file, env), undefined);
  t.is(({} as Record<string, unknown>).polluted, undefined, "nothing polluted Object.prototype");
  // The default files: a missing one is skipped; an explicit missing one is an error.
  t.is(await findCredentials("registry.example.com", "x", undefined, { HOME: join(dir, "nobody") }), undefined);
  await t.throwsAsync(findCredentials("registry.example.com", "x", join(dir, "missing.json"), env), { instanceOf: RegistryError, message: /cannot read the auth file .*missing\.json/ });
});

test("a broken or hostile auth file is named, never quoted", async (t) => {
  const dir = await scratch();
  const secret = "hunter2-SECRET";
  const broken = join(dir, "broken.json");
  // An unquoted value: V8 quotes the text around such a mistake in its message.
  await writeFile(broken, `{"auths": {"h": {"auth": ${secret}}}}`);
  const e = await t.throwsAsync(findCredentials("h", "r", broken), { instanceOf: RegistryError });
  t.regex(e!.message, /broken\.json is not valid JSON/);
  assertNoSecret(t, e!, [secret.slice(0, 7)]);

  const huge = join(dir, "huge.json");
  await writeFile(huge, `{"auths":{"h":{"auth":"${"A".repeat(2 << 20)}"}}}`);
  await t.throwsAsync(findCredentials("h", "r", huge), { instanceOf: RegistryError, message: /more than/ });

  const wrongType = join(dir, "wrong-type.json");
  await writeFile(wrongType, JSON.stringify({ auths: { h: { username: "u", password: 12345678 } } }));
  const e2 = await t.throwsAsync(findCredentials("h", "r", wrongType), { instanceOf: RegistryError, message: /password is not a string/ });
  assertNoSecret(t, e2!, ["12345678"]);

  const helperPath = join(dir, "helper-path.json");
  await writeFile(helperPath, JSON.stringify({ credHelpers: { h: "../../bin/sh" } }));
  await t.throwsAsync(findCredentials("h", "r", helperPath), { instanceOf: RegistryError, message: /not a plain program name/ });
});

test.serial("credential helpers: docker-credential-<name> get is asked, and a missing one is a clear error", async (t) => {
  const dir = await scratch();
  const bin = join(dir, "bin");
  await mkdir(bin);
  const helper = join(bin, "docker-credential-exotest");
  await writeFile(
    helper,
    `#!/bin/sh\nread host\nif [ "$1" = get ] && [ "$host" = "h.example.com" ]; then echo '{"ServerURL":"h.example.com","Username":"helped","Secret":"helper-secret"}'; else echo "credentials not found in native keychain"; exit 1; fi\n`,
  );
  await chmod(helper, 0o755);
  const file = join(dir, "config.json");
  await writeFile(file, JSON.stringify({ credHelpers: { "h.example.com": "exotest" }, credsStore: "exotest", auths: {} }));
  const missingFile = join(dir, "missing-helper.json");
  await writeFile(missingFile, JSON.stringify({ credsStore: "exo-no-such-helper" }));

  const savedPath = process.env.PATH;
  t.teardown(() => {
    process.env.PATH = savedPath;
  });
  process.env.PATH = `${bin}${delimiter}${savedPath ?? ""}`;
  t.like(await findCredentials("h.example.com", "r", file), { username: "helped", password: "helper-secret", source: "docker-credential-exotest" });
  // credsStore for any other host: this helper does not know it.
  t.is(await findCredentials("other.example.com", "r", file), undefined);
  const e = await t.throwsAsync(findCredentials("h.example.com", "r", missingFile), { instanceOf: RegistryError });
  t.regex(e!.message, /docker-credential-exo-no-such-helper is not installed/);
});

test("WWW-Authenticate challenges are parsed, Bearer preferred", (t) => {
  const bearer = parseChallenge(`Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull,push"`);
  t.is(bearer?.scheme, "bearer");
  t.is(bearer?.params.get("realm"), "https://auth.example.com/token");
  t.is(bearer?.params.get("scope"), "repository:a/b:pull,push");
  t.is(parseChallenge(`Basic realm="exo-test"`)?.scheme, "basic");
  t.is(parseChallenge([`Basic realm="x"`, `Bearer realm="https://y/token"`])?.scheme, "bearer");
  t.is(parseChallenge(`Basic realm="a \\"quoted\\" realm", charset=UTF-8`)?.params.get("realm"), `a "quoted" realm`);
  t.is(parseChallenge("Negotiate"), undefined);
  t.is(parseChallenge(undefined), undefined);
});

// ---------------------------------------------------------------- hostile and flaky servers

interface Fake {
  readonly host: string;
  readonly port: number;
  readonly requests: { method: string; url: string; authorization?: string }[];
}

async function fakeServer(handler: (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void, listen = "127.0.0.1"): Promise<Fake> {
  const requests: Fake["requests"] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests.push({ method: req.method!, url: req.url!, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
      handler(req, res, Buffer.concat(chunks));
    });
  });
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, listen, done));
  const port = (server.address() as AddressInfo).port;
  return { host: `127.0.0.1:${port}`, port, requests };
}

function errorBody(code: string, message: string): string {
  return JSON.stringify({ errors: [{ code, message, detail: null }] });
}

test("a registry that stalls is given up on with a clear error", async (t) => {
  const fake = await fakeServer((req, res) => {
    if (req.url === "/v2/") return void res.writeHead(200).end("{}");
    // Headers, then a body that never comes.
    res.writeHead(200, { "content-length": "100" });
    res.write("x");
  });
  const reg = await Registry.open({ registry: fake.host, repository: "exo/stall" }, { timeoutMs: 300 });
  opened.push(reg);
  const e = await t.throwsAsync(reg.getBlob(sha256(Buffer.from("x")), 1000), { instanceOf: RegistryError });
  t.regex(e!.message, /exo\/stall: fetching blob .*: 127\.0\.0\.1:\d+ sent nothing for 300 ms/);
  t.regex(e!.hint ?? "", /EXO_REGISTRY_TIMEOUT_MS/);
});

test("a manifest over 4 MiB and a manifest whose bytes are not its digest are refused", async (t) => {
  const small = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST }));
  const fake = await fakeServer((req, res) => {
    if (req.url === "/v2/") return void res.writeHead(200).end("{}");
    if (req.url?.endsWith("/big")) return void res.writeHead(200, { "content-type": OCI_MANIFEST }).end(Buffer.alloc((4 << 20) + 1, 32));
    res.writeHead(200, { "content-type": OCI_MANIFEST }).end(small);
  });
  const reg = await Registry.open({ registry: fake.host, repository: "exo/hostile" });
  opened.push(reg);
  await t.throwsAsync(reg.getManifest("big"), { instanceOf: RegistryError, message: /refused: .*more than the 4194304/ });
  const asked = sha256(Buffer.from("something else"));
  const e = await t.throwsAsync(reg.getManifest(asked), { instanceOf: DigestMismatch });
  t.regex(e!.message, /manifest/);
  t.deepEqual((await reg.getManifest("tag"))?.bytes, small);
});

test("a redirect to another host is followed without the credentials, and its bytes are still checked", async (t) => {
  const data = Buffer.from("from the bucket");
  const bucket = await fakeServer((req, res) => {
    if (req.url === "/good") return void res.writeHead(200).end(data);
    res.writeHead(200).end("not the blob");
  });
  const password = "redirect-pw";
  const authorized = `Basic ${Buffer.from(`exo:${password}`).toString("base64")}`;
  const fake = await fakeServer((req, res) => {
    if (req.headers.authorization !== authorized) return void res.writeHead(401, { "www-authenticate": `Basic realm="fake"`, "content-type": "application/json" }).end(errorBody("UNAUTHORIZED", "authentication required"));
    if (req.url === "/v2/") return void res.writeHead(200).end("{}");
    // "localhost" is another host than "127.0.0.1" as far as credentials go.
    const to = req.url?.includes(sha256(data)) ? "good" : "bad";
    res.writeHead(307, { location: `http://localhost:${bucket.port}/${to}` }).end();
  });
  const authFile = join(await scratch(), "auth.json");
  await writeFile(authFile, JSON.stringify({ auths: { [fake.host]: { username: "exo", password } } }));
  const reg = await Registry.open({ registry: fake.host, repository: "exo/redirect" }, { authFile });
  opened.push(reg);
  t.deepEqual(await reg.getBlob(sha256(data), 100), data);
  await t.throwsAsync(reg.getBlob(sha256(Buffer.from("wanted")), 100), { instanceOf: DigestMismatch });
  t.true(bucket.requests.length >= 2);
  t.true(bucket.requests.every((r) => r.authorization === undefined), "the bucket never saw the credentials");
  t.true(fake.requests.some((r) => r.authorization === authorized));
});

test("a registry that echoes the credentials in its error has them struck out", async (t) => {
  const password = "echo-me-PW";
  const fake = await fakeServer((req, res) => {
    if (!req.headers.authorization) return void res.writeHead(401, { "www-authenticate": `Basic realm="fake"` }).end();
    if (req.url === "/v2/") return void res.writeHead(200).end("{}");
    res.writeHead(403, { "content-type": "application/json" }).end(errorBody("DENIED", `you sent ${req.headers.authorization} and ${Buffer.from(req.headers.authorization.slice(6), "base64").toString()}`));
  });
  const authFile = join(await scratch(), "auth.json");
  await writeFile(authFile, JSON.stringify({ auths: { [fake.host]: { auth: Buffer.from(`exo:${password}`).toString("base64") } } }));
  const reg = await Registry.open({ registry: fake.host, repository: "exo/echo" }, { authFile });
  opened.push(reg);
  const e = await t.throwsAsync(reg.getBlob(sha256(Buffer.from("x")), 100), { instanceOf: RegistryError });
  t.regex(e!.message, /HTTP 403 DENIED: you sent \*\*\* and exo:\*\*\*/);
  assertNoSecret(t, e!, [password, Buffer.from(`exo:${password}`).toString("base64")]);
});

test("Bearer auth: a token for the repository's scope is fetched from the realm with the credentials", async (t) => {
  const password = "bearer-pw";
  const tokens: string[] = [];
  const tokenServer = await fakeServer((req, res) => {
    const url = new URL(req.url!, "http://x");
    tokens.push(`${url.searchParams.get("service")} ${url.searchParams.get("scope")} ${req.headers.authorization === `Basic ${Buffer.from(`exo:${password}`).toString("base64")}`}`);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ access_token: `tok-${url.searchParams.get("scope")?.split(":")[2]}` }));
  });
  const blob = Buffer.from("bearer blob");
  const fake = await fakeServer((req, res) => {
    const need = req.method === "GET" || req.method === "HEAD" ? /^Bearer tok-pull/ : /^Bearer tok-pull,push$/;
    if (!need.test(req.headers.authorization ?? "")) {
      return void res.writeHead(401, { "www-authenticate": `Bearer realm="http://${tokenServer.host}/token",service="fake-registry"` }).end();
    }
    if (req.url === "/v2/") return void res.writeHead(200).end("{}");
    if (req.method === "POST") return void res.writeHead(202, { location: "/v2/exo/bearer/blobs/uploads/abc?_state=s" }).end();
    if (req.method === "PUT") return void res.writeHead(201).end();
    if (req.method === "HEAD") return void res.writeHead(404).end();
    res.writeHead(200).end(blob);
  });
  const authFile = join(await scratch(), "auth.json");
  await writeFile(authFile, JSON.stringify({ auths: { [fake.host]: { auth: Buffer.from(`exo:${password}`).toString("base64") } } }));
  const reg = await Registry.open({ registry: fake.host, repository: "exo/bearer" }, { authFile });
  opened.push(reg);
  t.deepEqual(await reg.getBlob(sha256(blob), 100), blob);
  t.is(await reg.pushBlob(blob, sha256(blob)), blob.length);
  t.deepEqual(tokens, ["fake-registry repository:exo/bearer:pull true", "fake-registry repository:exo/bearer:pull,push true"]);
  t.true(fake.requests.some((r) => r.method === "PUT" && r.url.includes(`digest=${encodeURIComponent(sha256(blob))}`)));
});

test("an upload whose session is lost is started again from POST", async (t) => {
  const blob = Buffer.from("restarted upload");
  let posts = 0;
  let stored = false;
  const fake = await fakeServer((req, res, body) => {
    if (req.url === "/v2/") return void res.writeHead(200).end("{}");
    if (req.method === "HEAD") return void res.writeHead(stored ? 200 : 404).end();
    if (req.method === "POST") {
      posts++;
      return void res.writeHead(202, { location: `http://${req.headers.host}/v2/exo/upload/blobs/uploads/${posts}?_state=x` }).end();
    }
    if (req.method === "PUT" && req.url?.includes("/uploads/1?")) {
      return void res.writeHead(404, { "content-type": "application/json" }).end(errorBody("BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry"));
    }
    if (req.method === "PUT") {
      t.is(req.headers["content-type"], "application/octet-stream");
      t.deepEqual(body, blob);
      stored = true;
      return void res.writeHead(201).end();
    }
    res.writeHead(500).end();
  });
  const reg = await Registry.open({ registry: fake.host, repository: "exo/upload" });
  opened.push(reg);
  t.is(await reg.pushBlob(blob, sha256(blob)), blob.length);
  t.is(posts, 2);
  t.true(stored);
});

test("a read whose connection is reset before any answer is tried once more", async (t) => {
  const blob = Buffer.from("second time lucky");
  let resets = 0;
  const fake = await fakeServer((req, res) => {
    if (req.url === "/v2/") return void res.writeHead(200).end("{}");
    if (resets === 0) {
      resets++;
      return void req.socket.destroy();
    }
    res.writeHead(200).end(blob);
  });
  const reg = await Registry.open({ registry: fake.host, repository: "exo/reset" });
  opened.push(reg);
  t.deepEqual(await reg.getBlob(sha256(blob), 100), blob);
  t.is(resets, 1);
});

test("a host that is not a registry, or not there, is reported as such", async (t) => {
  const fake = await fakeServer((_req, res) => void res.writeHead(404).end("nothing here"));
  await t.throwsAsync(Registry.open({ registry: fake.host, repository: "x" }), { instanceOf: RegistryError, message: /does not look like an OCI registry/ });
  // A port nobody listens on.
  const gone = await fakeServer(() => {});
  const closed = servers.pop()!;
  await new Promise((done) => closed.close(done));
  const e = await t.throwsAsync(Registry.open({ registry: gone.host, repository: "x" }), { instanceOf: RegistryError });
  t.regex(e!.message, /cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
});

function assertNoSecret(t: { false(v: boolean, m?: string): void }, e: Error & { hint?: string }, secrets: readonly string[]): void {
  const everything = [e.message, e.hint ?? "", e.stack ?? "", JSON.stringify(e), String(e)].join("\n");
  for (const s of secrets) t.false(everything.includes(s), `the error shows a secret: ${s}`);
}
