// The chain of trust through the command line: offline signing, key
// rotation, and other algorithms.
import test from "ava";
import { readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { exo, fixture, tempProject } from "../helpers/exo.ts";

const config = (secret: string, trusted: string[]) =>
  `export default { store: "store", keys: { secretKey: ${JSON.stringify(secret)}, trusted: ${JSON.stringify(trusted)} } };\n`;

test("an unsigned build fails verification until exo sign attaches a signature, without rebuilding", async (t) => {
  const dir = await tempProject({ sharedStore: true });
  const built = await exo(["build", fixture("all-formats.ts"), "--no-sign", "--json"], { cwd: dir });
  t.is(built.code, 0, built.stderr);
  const unsigned = await exo(["verify", "result"], { cwd: dir });
  t.is(unsigned.code, 1);
  t.regex(unsigned.stderr, /image\.sig: missing: the image is unsigned \(sign it with `exo sign`\)/);
  const signed = await exo(["sign", "result", "--output", "signed"], { cwd: dir });
  t.is(signed.code, 0, signed.stderr);
  t.regex(signed.stdout, /signed result with ML-DSA-65 key [0-9a-f]{16}: signed/);
  // `signed` lies in the project's own folder, outside its store: trusting the project's keys for it takes --project.
  const verify = await exo(["verify", "signed", "--project", "."], { cwd: dir });
  t.is(verify.code, 0, verify.stderr);
  t.is(verify.stdout.trim().split("\n").length, 5, "the image manifest, then bundle, kernel, iso and raw all verify");
  const boot = await exo(["run", "signed", "--format", "raw", "--project", "."], { cwd: dir });
  t.is(boot.code, 0, boot.stderr);
});

test("exo sign result signs in place: a new store path, the link moved, and the image then boots", async (t) => {
  const dir = await tempProject();
  t.is((await exo(["build", fixture("bundle-only.ts"), "--no-sign"], { cwd: dir })).code, 0);
  const before = await readlink(join(dir, "result"));
  t.is((await exo(["run", "result"], { cwd: dir })).code, 1, "an unsigned image does not boot");
  const signed = await exo(["sign", "result"], { cwd: dir });
  t.is(signed.code, 0, signed.stderr);
  t.regex(signed.stdout, /^signed result in place with ML-DSA-65 key [0-9a-f]{16}: result -> store\/v1\/paths\/[0-9a-f]{32}-image-bundle\nnext: exo verify result, then exo run result\n$/);
  t.not(await readlink(join(dir, "result")), before, "the link moved to the signed path");
  t.is((await exo(["verify", "result"], { cwd: dir })).code, 0);
  const boot = await exo(["run", "result"], { cwd: dir });
  t.is(boot.code, 0, boot.stderr);
  t.is((await exo(["store", "verify"], { cwd: dir })).code, 0);
});

test("a key is rotated by trusting both, re-signing with the new one and retiring the old", async (t) => {
  const dir = await tempProject({ sharedStore: true });
  t.is((await exo(["keygen", "--secret", "keys/new.key", "--public", "keys/new.pub"], { cwd: dir })).code, 0);
  await writeFile(join(dir, "exo.config.ts"), config("keys/test.key", ["keys/test.pub", "keys/new.pub"]));
  t.is((await exo(["build", fixture("all-formats.ts")], { cwd: dir })).code, 0);
  const old = await exo(["verify", "result/bundle.tar", "--json"], { cwd: dir });
  const oldKey = (JSON.parse(old.stdout) as { formats: { keyId: string }[] }).formats[0]!.keyId;
  const resigned = await exo(["sign", "result/bundle.tar", "--key", "keys/new.key", "--output", "new.tar"], { cwd: dir });
  t.is(resigned.code, 0, resigned.stderr);
  const fresh = await exo(["verify", "new.tar", "--json", "--project", "."], { cwd: dir });
  const newKey = (JSON.parse(fresh.stdout) as { formats: { keyId: string }[] }).formats[0]!.keyId;
  t.not(newKey, oldKey, "verify says which key signed");
  await writeFile(join(dir, "exo.config.ts"), config("keys/new.key", ["keys/new.pub"]));
  t.is((await exo(["verify", "new.tar", "--project", "."], { cwd: dir })).code, 0);
  const retired = await exo(["verify", "result/bundle.tar"], { cwd: dir });
  t.is(retired.code, 1);
  t.regex(retired.stderr, new RegExp(`image\\.sig: signed by key ${oldKey}, which is not among the trusted keys`));
});

for (const algorithm of ["ML-DSA-87", "ML-DSA-65+Ed25519", "SLH-DSA-SHA2-128f"]) {
  test(`images signed with ${algorithm} verify, and name the algorithm`, async (t) => {
    const dir = await tempProject({ sharedStore: true });
    t.is((await exo(["keygen", "--algorithm", algorithm, "--secret", "keys/alt.key", "--public", "keys/alt.pub"], { cwd: dir })).code, 0);
    await writeFile(join(dir, "exo.config.ts"), config("keys/alt.key", ["keys/alt.pub"]));
    t.is((await exo(["build", fixture("bundle-only.ts")], { cwd: dir })).code, 0);
    const r = await exo(["verify", "result", "--json"], { cwd: dir });
    t.is(r.code, 0, r.stdout);
    t.is((JSON.parse(r.stdout) as { formats: { algorithm: string }[] }).formats[0]!.algorithm, algorithm);
  });
}

test("keygen refuses an unknown algorithm, naming the ones it knows", async (t) => {
  const dir = await tempProject({ sharedStore: true });
  const r = await exo(["keygen", "--algorithm", "RSA-2048", "--secret", "keys/x.key", "--public", "keys/x.pub"], { cwd: dir });
  t.is(r.code, 1);
  t.regex(r.stderr, /option --algorithm expects one of ML-DSA-65, ML-DSA-87/);
});
