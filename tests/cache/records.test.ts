// A cache's signed records: only a record signed by a trusted key and of
// the exact shape is read; anything else is refused with the reason.
import test from "ava";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openRecord, PATH_RECORD_SCHEMA, type PathRecord, pathRecordSchema, RecordRefused, REALISATION_SCHEMA, realisationSchema, signRecord } from "../../generator/cache/records.ts";
import { generateKeyPair, loadPublicKey, loadSecretKey } from "../../generator/sign/keys.ts";
import { signatureBytes, signManifest } from "../../generator/sign/signature.ts";

async function keyPair() {
  const dir = await mkdtemp(join(tmpdir(), "exo-records-"));
  await generateKeyPair(join(dir, "k.key"), join(dir, "k.pub"));
  return { secret: await loadSecretKey(join(dir, "k.key")), public: await loadPublicKey(join(dir, "k.pub")) };
}

const PATH = `${"a".repeat(32)}-kernel-server`;
const record: PathRecord = { schema: PATH_RECORD_SCHEMA, path: PATH, type: "directory", archive: { digest: `sha256:${"b".repeat(64)}`, size: 2048 }, references: [], size: 100, files: 1 };

test("a record signed by a trusted key opens; one signed by another key, or over other bytes, does not", async (t) => {
  const [mine, theirs] = await Promise.all([keyPair(), keyPair()]);
  const signed = signRecord(record, mine.secret);
  t.deepEqual(openRecord(pathRecordSchema, signed, [mine.public]), record);
  t.throws(() => openRecord(pathRecordSchema, signed, [theirs.public]), { instanceOf: RecordRefused, message: /not among the trusted keys/ });
  const changed = Buffer.from(signed.bytes.toString().replace('"size":100', '"size":101'));
  t.throws(() => openRecord(pathRecordSchema, { bytes: changed, signature: signed.signature }, [mine.public]), { instanceOf: RecordRefused, message: /does not match its record/ });
  t.throws(() => openRecord(pathRecordSchema, { bytes: signed.bytes, signature: Buffer.from("not a signature") }, [mine.public]), { instanceOf: RecordRefused, message: /not an exo.signature\/v1 file/ });
});

test("a signed record of the wrong shape is refused: a prototype key, a path that climbs, the other kind of record", async (t) => {
  const { secret, public: pub } = await keyPair();
  const signedBytes = (text: string) => {
    const bytes = Buffer.from(text);
    return { bytes, signature: signatureBytes(signManifest(bytes, secret)) };
  };
  const proto = signedBytes(JSON.stringify(record).replace("{", '{"__proto__":{"polluted":true},'));
  t.throws(() => openRecord(pathRecordSchema, proto, [pub]), { instanceOf: RecordRefused, message: /malformed/ });
  t.is(({} as { polluted?: boolean }).polluted, undefined);
  const climbing = signedBytes(JSON.stringify({ ...record, path: `${"a".repeat(32)}-../../etc` }));
  t.throws(() => openRecord(pathRecordSchema, climbing, [pub]), { instanceOf: RecordRefused, message: /path: expected a store path name/ });
  const realisation = signRecord({ schema: REALISATION_SCHEMA, key: "c".repeat(64), path: PATH }, secret);
  t.throws(() => openRecord(pathRecordSchema, realisation, [pub]), { instanceOf: RecordRefused, message: /malformed/ });
  t.like(openRecord(realisationSchema, realisation, [pub]), { path: PATH });
});
