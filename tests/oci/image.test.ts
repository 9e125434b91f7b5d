// Images as OCI artifacts against a real registry (Debian's docker-registry)
// and a real built image: exo push sends one artifact that skopeo can read
// and copy; exo pull verifies with the pulling project's keys before the
// image becomes visible, and refuses a tampered blob or an untrusted signer
// without leaving anything behind; exo run oci://... boots it.
import test from "ava";
import { execFile } from "node:child_process";
import { lstat, readdir, readFile, realpath, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { digestOf, IMAGE_ARTIFACT_TYPE, IMAGE_MANIFEST_TYPE, imageArtifact, OCI_MANIFEST, TITLE } from "../../generator/oci/image-artifact.ts";
import { readImageArtifact } from "../../generator/oci/image-layers.ts";
import { precheckLayers } from "../../generator/oci/image-precheck.ts";
import { loadPublicKey } from "../../generator/sign/keys.ts";
import { exo, profile, tempProject } from "../helpers/exo.ts";
import { startRegistry } from "../helpers/registry.ts";

const run = promisify(execFile);
type Registry = Awaited<ReturnType<typeof startRegistry>>;

const registries: Registry[] = [];
async function registry(): Promise<Registry> {
  const r = await startRegistry();
  registries.push(r);
  return r;
}
test.after.always(async () => {
  await Promise.all(registries.map((r) => r.stop()));
});

/** The project that builds and signs minimal.ts once; every test pushes its result. */
const built = (async () => {
  const dir = await tempProject();
  const b = await exo(["build", profile("minimal.ts")], { cwd: dir });
  if (b.code !== 0) throw new Error(`build failed: ${b.stderr}`);
  return { dir, image: join(dir, "result"), key: join(dir, "keys/test.pub") };
})();

/** A project with keys of its own that also trusts the builder's key, in its exo.config.ts. */
async function trustingProject(): Promise<string> {
  const dir = await tempProject();
  const { key } = await built;
  await writeFile(join(dir, "exo.config.ts"), `export default { store: "store", keys: { secretKey: "keys/test.key", trusted: ["keys/test.pub", ${JSON.stringify(key)}] } };\n`);
  return dir;
}

/** Every file under `dir`, sorted, as relative paths. */
async function filesOf(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(join(dir, prefix))).sort()) {
    const rel = prefix ? `${prefix}/${name}` : name;
    if ((await lstat(join(dir, rel))).isDirectory()) out.push(...(await filesOf(dir, rel)));
    else out.push(rel);
  }
  return out.sort();
}

async function storePaths(project: string): Promise<string[]> {
  return readdir(join(project, "store/v1/paths")).catch(() => []);
}

async function skopeoRaw(ref: string): Promise<Record<string, unknown>> {
  const { stdout } = await run("skopeo", ["inspect", "--raw", "--tls-verify=false", `docker://${ref}`]);
  return JSON.parse(stdout) as Record<string, unknown>;
}

interface PushJson {
  digest: string;
  pinned: string;
  reference: string | null;
  blobsSent: number;
  blobsSkipped: number;
  bytesSent: number;
  files: number;
  referrers: { artifactType: string; digest: string }[];
}

async function push(target: string, json = true): Promise<PushJson> {
  const { dir } = await built;
  const r = await exo(["push", "result", target, ...(json ? ["--json"] : [])], { cwd: dir });
  if (r.code !== 0) throw new Error(`push failed: ${r.stderr}${r.stdout}`);
  return JSON.parse(r.stdout) as PushJson;
}

/** One registry holds what the tests below push and copy; the tampering test has its own. */
const shared = (async () => {
  const reg = await registry();
  return { reg, first: await push(`oci://${reg.host}/exo/minimal:v1`) };
})();

test.serial("push prints the tag and the digest; pushing again sends no blob and gives the same digest", async (t) => {
  const { reg, first } = await shared;
  const { dir } = await built;
  t.regex(first.digest, /^sha256:[0-9a-f]{64}$/);
  t.true(first.blobsSent > 0 && first.bytesSent > 4_000_000, JSON.stringify(first));
  const again = await exo(["push", "result", `oci://${reg.host}/exo/minimal:v1`], { cwd: dir });
  t.is(again.code, 0, again.stderr);
  t.is(again.stdout, `oci://${reg.host}/exo/minimal:v1\noci://${reg.host}/exo/minimal@${first.digest}\n`);
  t.regex(again.stderr, /: 0 blobs sent \(0 B\), \d+ already in the registry/);
  const json = await push(`oci://${reg.host}/exo/minimal:v1`);
  t.is(json.digest, first.digest);
  t.is(json.blobsSent, 0);
  t.is(json.bytesSent, 0);
  t.is(json.blobsSkipped, first.blobsSent + first.blobsSkipped);
});

test.serial("skopeo reads the artifact: its type, image.json as config, one titled layer per file, and the SBOM and signature as referrers", async (t) => {
  const { reg, first } = await shared;
  const { image } = await built;
  const manifest = await skopeoRaw(`${reg.host}/exo/minimal:v1`);
  t.is(manifest.mediaType, OCI_MANIFEST);
  t.is(manifest.artifactType, IMAGE_ARTIFACT_TYPE);
  const config = manifest.config as { mediaType: string; size: number };
  t.is(config.mediaType, IMAGE_MANIFEST_TYPE);
  t.is(config.size, (await readFile(join(image, "image.json"))).length);
  const titles = (manifest.layers as { annotations: Record<string, string> }[]).map((l) => l.annotations[TITLE]);
  t.deepEqual(titles, await filesOf(image));
  t.true(titles.includes("bundle.tar") && titles.includes("image.sig") && titles.includes("sbom.spdx.json"), titles.join(", "));
  t.deepEqual((manifest.annotations as Record<string, string>)["vnd.exo.image.system"], "minimal");

  // distribution 2.8 has no referrers API: the OCI 1.1 fallback tag lists them.
  const index = await skopeoRaw(`${reg.host}/exo/minimal:${first.digest.replace(":", "-")}`);
  const listed = (index.manifests as { artifactType: string; digest: string }[]).map((m) => [m.artifactType, m.digest]).sort();
  t.deepEqual(listed, first.referrers.map((r) => [r.artifactType, r.digest]).sort());
  t.deepEqual(first.referrers.map((r) => r.artifactType), ["application/spdx+json", "application/vnd.exo.signature.v1+json"]);
  const sbom = await skopeoRaw(`${reg.host}/exo/minimal@${first.referrers[0]!.digest}`);
  t.is((sbom.subject as { digest: string }).digest, first.digest);
  t.is((sbom.layers as { annotations: Record<string, string> }[])[0]!.annotations[TITLE], "sbom.spdx.json");
});

test.serial("promotion: skopeo copies the artifact, exo pull by digest verifies it and links result with the original's bytes", async (t) => {
  const { reg, first } = await shared;
  const { image } = await built;
  await run("skopeo", ["copy", "--src-tls-verify=false", "--dest-tls-verify=false", `docker://${reg.host}/exo/minimal:v1`, `docker://${reg.host}/exo/promoted:stable`]);
  t.is((await skopeoRaw(`${reg.host}/exo/promoted:stable`)).artifactType, IMAGE_ARTIFACT_TYPE);

  const dir = await trustingProject();
  const r = await exo(["pull", `oci://${reg.host}/exo/promoted@${first.digest}`], { cwd: dir });
  t.is(r.code, 0, r.stderr);
  const [pinned, path] = r.stdout.trim().split("\n");
  t.is(pinned, `oci://${reg.host}/exo/promoted@${first.digest}`);
  t.regex(path!, /^store\/v1\/paths\/[0-9a-f]{32}-image-minimal$/);
  t.regex(r.stderr, /^verified: signed by key [0-9a-f]{16} \(ML-DSA-65\): system minimal, version 0;/m);
  t.is(await realpath(join(dir, "result")), join(await realpath(dir), path!));
  const files = await filesOf(image);
  t.deepEqual(await filesOf(join(dir, "result")), files);
  for (const f of files) t.true((await readFile(join(dir, "result", f))).equals(await readFile(join(image, f))), `${f} differs`);
  t.is((await exo(["verify", "result"], { cwd: dir })).code, 0);

  // Pulled again, by tag, with --json: verified in place, nothing downloaded.
  const again = await exo(["pull", `oci://${reg.host}/exo/promoted:stable`, "--out-link", "again", "--json"], { cwd: dir });
  t.is(again.code, 0, again.stderr);
  const json = JSON.parse(again.stdout) as { digest: string; path: string; link: string; reused: boolean; bytesReceived: number; files: number };
  t.like(json, { digest: first.digest, path: path!, link: "again", reused: true, bytesReceived: 0, files: files.length });
  t.is(await realpath(join(dir, "again")), await realpath(join(dir, "result")));
});

test("a blob tampered with in the registry's storage is refused, naming the file; nothing enters the store and no link appears", async (t) => {
  const reg = await registry();
  const { image } = await built;
  const { first } = await shared;
  const pushed = await push(`oci://${reg.host}/exo/minimal:v1`);
  t.is(pushed.digest, first.digest, "the same image has the same digest in every registry");
  const manifest = await skopeoRaw(`${reg.host}/exo/minimal:v1`);
  const bundle = (manifest.layers as { digest: string; annotations: Record<string, string> }[]).find((l) => l.annotations[TITLE] === "bundle.tar")!;
  const hex = bundle.digest.slice("sha256:".length);
  const data = join(reg.storage, "docker/registry/v2/blobs/sha256", hex.slice(0, 2), hex, "data");
  const bytes = await readFile(data);
  t.true(bytes.equals(await readFile(join(image, "bundle.tar"))));
  const middle = bytes.length >> 1;
  bytes[middle] = bytes[middle]! ^ 0xff;
  await writeFile(data, bytes);

  const dir = await trustingProject();
  const r = await exo(["pull", `oci://${reg.host}/exo/minimal:v1`], { cwd: dir });
  t.is(r.code, 1, r.stderr);
  t.regex(r.stderr, /^error\[ERR_EXO_REGISTRY_DIGEST\]: bundle\.tar: /m);
  t.deepEqual(await storePaths(dir), []);
  t.is(await lstat(join(dir, "result")).catch(() => undefined), undefined);
  t.deepEqual(await readdir(join(dir, "store/v1/tmp")), [], "no scratch left behind");
});

test("an image signed by a key the pulling project does not trust is refused before it enters the store", async (t) => {
  const { reg } = await shared;
  const dir = await tempProject();
  const r = await exo(["pull", `oci://${reg.host}/exo/minimal:v1`], { cwd: dir });
  t.is(r.code, 1, r.stderr);
  t.regex(r.stderr, /^error\[ERR_EXO_VERIFY\]: refusing oci:\/\/.*\/exo\/minimal:v1:$/m);
  t.regex(r.stderr, /not among the trusted keys/);
  t.deepEqual(await storePaths(dir), []);
  t.is(await lstat(join(dir, "result")).catch(() => undefined), undefined);
});

test("a manifest that is not an Exo image (the SBOM referrer) is refused as such", async (t) => {
  const { reg, first } = await shared;
  const dir = await trustingProject();
  const r = await exo(["pull", `oci://${reg.host}/exo/minimal@${first.referrers[0]!.digest}`], { cwd: dir });
  t.is(r.code, 1, r.stderr);
  t.regex(r.stderr, /^error\[ERR_EXO_IMAGE_INVALID\]: oci:\/\/.* is not an Exo image:\n {2}- .*artifact type application\/spdx\+json/m);
  t.deepEqual(await storePaths(dir), []);
});

test("an unsigned image is never pushed", async (t) => {
  const { reg } = await shared;
  const { dir } = await built;
  t.is((await exo(["build", profile("minimal.ts"), "--no-sign", "--out-link", "unsigned"], { cwd: dir })).code, 0);
  const r = await exo(["push", "unsigned", `oci://${reg.host}/exo/unsigned:v1`], { cwd: dir });
  t.is(r.code, 1, r.stderr);
  t.regex(r.stderr, /^error\[ERR_EXO_VERIFY\]: refusing to push unsigned:\n {2}- image\.sig: missing: the image is unsigned/m);
  await t.throwsAsync(skopeoRaw(`${reg.host}/exo/unsigned:v1`));
});

test("exo run oci://... pulls the image into the store without a result link and boots it", async (t) => {
  const { reg } = await shared;
  const dir = await trustingProject();
  const r = await exo(["run", `oci://${reg.host}/exo/minimal:v1`, "--timeout", "60"], { cwd: dir });
  t.is(r.code, 0, r.stderr + r.stdout);
  t.regex(r.stdout, /exo: booting minimal \(x86_64\)/);
  t.regex(r.stdout, /exo: boot complete/);
  t.regex(r.stderr, /kernel exited with status 0/);
  t.is((await storePaths(dir)).filter((p) => p.endsWith("-image-minimal")).length, 1);
  t.is(await lstat(join(dir, "result")).catch(() => undefined), undefined);
});

test("a registry that asks for credentials gets them from --auth-file, and no error shows them", async (t) => {
  const reg = await startRegistry({ htpasswd: true });
  registries.push(reg);
  const { dir } = await built;
  const target = `oci://${reg.host}/exo/private:v1`;
  // An auth file with nothing for this registry: the user's own (~/.docker/config.json) must not answer.
  const none = join(dir, "no-credentials.json");
  await writeFile(none, `{ "auths": {} }\n`);
  const refused = await exo(["push", "result", target, "--auth-file", none], { cwd: dir });
  t.is(refused.code, 1, refused.stderr);
  t.regex(refused.stderr, /^error\[ERR_EXO_REGISTRY\]: .*HTTP 401/m);
  const pushed = await exo(["push", "result", target, "--auth-file", reg.authFile!], { cwd: dir });
  t.is(pushed.code, 0, pushed.stderr);
  const project = await trustingProject();
  const anonymous = await exo(["pull", target, "--auth-file", none], { cwd: project });
  t.is(anonymous.code, 1);
  t.regex(anonymous.stderr, /HTTP 401/);
  const pulled = await exo(["pull", target, "--auth-file", reg.authFile!], { cwd: project });
  t.is(pulled.code, 0, pulled.stderr);
  const secret = Buffer.from(`${reg.username}:${reg.password}`).toString("base64");
  for (const r of [refused, pushed, anonymous, pulled]) {
    t.false(r.stderr.includes(reg.password!) || r.stdout.includes(reg.password!) || r.stderr.includes(secret), r.stderr);
  }
});

// ---- The artifact format itself ----------------------------------------------

const head = { system: "s", arch: "x86_64", version: 3, configHash: "c".repeat(64) };
const file = (path: string, fill = "a") => ({ path, sha256: fill.repeat(64), size: 10 });

test("the artifact is a function of the image: the same files in any order give the same bytes", (t) => {
  const json = Buffer.from("{}\n");
  const a = imageArtifact(json, [file("image.json"), file("bundle.tar", "b"), file("sbom.spdx.json", "c")], head);
  const b = imageArtifact(json, [file("sbom.spdx.json", "c"), file("image.json"), file("bundle.tar", "b")], head);
  t.true(a.bytes.equals(b.bytes));
  t.is(a.digest, b.digest);
  t.false(a.bytes.toString().includes("created"), "no timestamp");
});

test("a hostile manifest is refused before any download: unsafe titles, duplicates, a file inside a file, huge sizes", (t) => {
  const manifest = (layers: object[]) =>
    Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: IMAGE_ARTIFACT_TYPE, config: { mediaType: IMAGE_MANIFEST_TYPE, digest: `sha256:${"a".repeat(64)}`, size: 3 }, layers }));
  const layer = (title: unknown, extra: object = {}) => ({ mediaType: "x", digest: `sha256:${"a".repeat(64)}`, size: 3, annotations: { [TITLE]: title }, ...extra });
  t.is(readImageArtifact(manifest([layer("image.json"), layer("kernel/boot/kernel.elf")]), "here").length, 2);
  const cases: [object[], RegExp][] = [
    [[layer("image.json"), layer("../etc/passwd")], /"\.\.\/etc\/passwd": not a plain relative path/],
    [[layer("image.json"), layer("/etc/passwd")], /not a plain relative path/],
    [[layer("image.json"), layer("a/./b")], /not a plain relative path/],
    [[layer("image.json"), layer("x"), layer("x")], /x: named by two layers/],
    [[layer("image.json"), layer("kernel"), layer("kernel/boot")], /kernel\/boot: inside kernel, which another layer makes a file/],
    [[layer("image.json"), layer("big", { size: 2 ** 40 })], /big: 1099511627776 B, more than/],
    [[layer("image.json"), layer("neg", { size: -1 })], /neg: its size is not a whole number/],
    [[layer("image.json"), layer("d", { digest: "md5:abc" })], /d: its digest is not a sha256 digest/],
    [[layer("image.json"), { mediaType: "x", digest: `sha256:${"a".repeat(64)}`, size: 1 }], /layer 1: no org\.opencontainers\.image\.title/],
    [[layer("bundle.tar")], /image\.json: no layer holds the image manifest/],
    [[layer("image.json", { digest: `sha256:${"b".repeat(64)}` })], /image\.json: the layer differs from the manifest's config/],
  ];
  for (const [layers, problem] of cases) {
    const e = t.throws(() => readImageArtifact(manifest(layers), "oci://h/r:t"));
    t.regex(e.message, problem);
    t.regex(e.message, /^oci:\/\/h\/r:t is not an Exo image:/);
  }
  t.regex(t.throws(() => readImageArtifact(Buffer.from("not json"), "x")).message, /not JSON/);
  t.regex(t.throws(() => readImageArtifact(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: "application/vnd.oci.image.config.v1+json" }, layers: [] })), "x")).message, /not an application\/vnd\.exo\.image\.v1/);
});

test("before the big layers are downloaded, image.json must be signed by a trusted key and list each of them as it is", async (t) => {
  const { image, key } = await built;
  const json = await readFile(join(image, "image.json"));
  const sig = await readFile(join(image, "image.sig"));
  const trusted = [await loadPublicKey(key)];
  const entry = (title: string, data: Buffer) => ({ title, digest: digestOf(data), size: data.length });
  const listed = (JSON.parse(json.toString("utf8")) as { files: { path: string; sha256: string; size: number }[] }).files.map((f) => ({ title: f.path, digest: `sha256:${f.sha256}`, size: f.size }));
  const all = [...listed, entry("image.json", json), entry("image.sig", sig)];
  const problems = (layers: typeof all, keys = trusted, signature: Buffer | null = sig) => precheckLayers(json, signature ?? undefined, layers, keys)?.check.problems ?? [];
  t.deepEqual(problems(all), []);
  t.deepEqual(problems([...all, entry("extra", Buffer.from("x"))]), ["extra: in the artifact but not in image.json"]);
  t.deepEqual(problems(all.map((l) => (l.title === "bundle.tar" ? { ...l, size: l.size * 1000 } : l))), [`bundle.tar: the layer (${listed.find((l) => l.title === "bundle.tar")!.digest}, ${listed.find((l) => l.title === "bundle.tar")!.size * 1000} B) is not the file image.json lists`]);
  t.deepEqual(problems(all.filter((l) => l.title !== "sbom.spdx.json")), ["sbom.spdx.json: listed in image.json but not in the artifact"]);
  t.regex(problems(all, []).join("\n"), /^image\.sig: .*not among the trusted keys/);
  t.regex(problems(all, trusted, null).join("\n"), /^image\.sig: missing: the image is unsigned/);
});
