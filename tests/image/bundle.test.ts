// The bundle: deterministic bytes, and verification that notices any flipped byte.
import test from "ava";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { verifyBundle, writeBundle } from "../../generator/image/bundle.ts";
import { makeManifest, manifestBytes } from "../../generator/image/manifest.ts";
import { signatureBytes, signManifest } from "../../generator/sign/signature.ts";
import { unpackTar } from "../../generator/image/tar.ts";
import { generateKeyPair, loadPublicKey, loadSecretKey } from "../../generator/sign/keys.ts";

const KERNEL = Buffer.from("\x7fELF pretend kernel bytes ".repeat(100));
const HEAD = { system: "test", arch: "x86_64", configHash: "a".repeat(64), version: 1, created: 315532800, expires: null };

async function keys() {
  const dir = await mkdtemp(join(tmpdir(), "exo-bundle-"));
  await generateKeyPair(join(dir, "k.key"), join(dir, "k.pub"));
  return { secret: await loadSecretKey(join(dir, "k.key")), pub: await loadPublicKey(join(dir, "k.pub")) };
}

async function bundle(secret: Awaited<ReturnType<typeof keys>>["secret"]) {
  const manifest = manifestBytes(makeManifest(HEAD, [{ path: "kernel.elf", data: KERNEL, storePath: "0123-kernel" }]));
  const files = new Map<string, Uint8Array>([
    ["kernel.elf", KERNEL],
    ["manifest.json", manifest],
    ["manifest.sig", signatureBytes(signManifest(manifest, secret))],
  ]);
  return writeBundle(files, HEAD.created);
}

/** Check bundle bytes the way `exo verify` reads them: from a file. */
async function verifyBytes(tar: Uint8Array, trusted: Parameters<typeof verifyBundle>[1]) {
  const file = join(await mkdtemp(join(tmpdir(), "exo-bundle-file-")), "bundle.tar");
  await writeFile(file, tar);
  return verifyBundle(file, trusted);
}

/** Offset of an entry's content inside the tar. */
function offsetOf(tar: Buffer, content: Uint8Array): number {
  const at = tar.indexOf(Buffer.from(content));
  if (at < 0) throw new Error("entry content not found in the archive");
  return at;
}

test("the same files and key give byte-identical bundles that verify", async (t) => {
  const { secret, pub } = await keys();
  const a = await bundle(secret);
  const b = await bundle(secret);
  t.true(a.equals(b));
  const report = await verifyBytes(a, [pub]);
  t.deepEqual(report.problems, []);
  t.true(report.ok);
  t.is(report.keyId, pub.keyId);
});

for (const target of ["kernel.elf", "manifest.json", "manifest.sig"]) {
  test(`a single flipped byte in ${target} fails verification naming it`, async (t) => {
    const { secret, pub } = await keys();
    const tar = await bundle(secret);
    const entry = (await unpackTar(tar)).entries.find((e) => e.name === target)!;
    const flipped = Buffer.from(tar);
    const at = offsetOf(tar, entry.data) + Math.floor(entry.data.length / 2);
    flipped[at] = flipped[at]! ^ 0x01;
    const report = await verifyBytes(flipped, [pub]);
    t.false(report.ok);
    t.true(report.problems.some((p) => p.includes(target)), report.problems.join("\n"));
  });
}

test("a flipped byte in an archive header fails verification", async (t) => {
  const { secret, pub } = await keys();
  const tar = await bundle(secret);
  const flipped = Buffer.from(tar);
  flipped[100] = flipped[100]! ^ 0x02; // inside the first header's mode field
  t.false((await verifyBytes(flipped, [pub])).ok);
});

test("a bundle signed by a key that is not trusted fails", async (t) => {
  const signer = await keys();
  const other = await keys();
  const report = await verifyBytes(await bundle(signer.secret), [other.pub]);
  t.false(report.ok);
  t.regex(report.problems.join("\n"), /manifest\.sig: signed by key [0-9a-f]{16}, which is not among the trusted keys/);
});

test("a truncated bundle fails", async (t) => {
  const { secret, pub } = await keys();
  const tar = await bundle(secret);
  t.false((await verifyBytes(tar.subarray(0, tar.length - 1500), [pub])).ok);
});
