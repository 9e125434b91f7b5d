// Signing keys: secret files are private, never overwritten, and refused when others can read them.
import test from "ava";
import { chmod, mkdtemp, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExoError } from "../../generator/errors.ts";
import { generateKeyPair, loadPublicKey, loadSecretKey } from "../../generator/sign/keys.ts";

async function pair() {
  const dir = await mkdtemp(join(tmpdir(), "exo-keys-"));
  const secret = join(dir, "k.key");
  const pub = join(dir, "k.pub");
  const keyId = await generateKeyPair(secret, pub);
  return { dir, secret, pub, keyId };
}

test("keygen writes the secret key mode 0600 and both files name the same key", async (t) => {
  const { secret, pub, keyId } = await pair();
  t.is((await stat(secret)).mode & 0o777, 0o600);
  t.is((await loadSecretKey(secret)).keyId, keyId);
  t.is((await loadPublicKey(pub)).keyId, keyId);
  t.false((await readFile(pub, "utf8")).includes("seed"), "the public file holds no secret");
});

test("keygen refuses to overwrite an existing key", async (t) => {
  const { secret, pub } = await pair();
  const e = await t.throwsAsync(generateKeyPair(secret, pub), { instanceOf: ExoError });
  t.regex(e!.message, /already exists/);
});

test("a secret key readable by others is refused", async (t) => {
  const { secret } = await pair();
  await chmod(secret, 0o644);
  const e = await t.throwsAsync(loadSecretKey(secret), { instanceOf: ExoError });
  t.regex(e!.message, /can be read by other users/);
  t.regex(e!.hint ?? "", /chmod 600/);
});
