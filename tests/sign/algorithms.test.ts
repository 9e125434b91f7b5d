// Every signature algorithm: a signature verifies, and fails on any change.
import test from "ava";
import { randomBytes } from "node:crypto";
import { ALGORITHM_NAMES, ALGORITHMS } from "../../generator/sign/algorithms.ts";

const message = new TextEncoder().encode('{"schema":"exo.manifest/v1"}\n');

for (const name of ALGORITHM_NAMES) {
  test(`${name}: deterministic signatures that verify, and fail on a changed message or signature`, (t) => {
    const algorithm = ALGORITHMS[name];
    const { publicKey, secretKey } = algorithm.keygen(randomBytes(algorithm.seedBytes));
    const signature = algorithm.sign(message, secretKey);
    t.deepEqual(algorithm.sign(message, secretKey), signature, "the same message and key give the same signature");
    t.true(algorithm.verify(signature, message, publicKey));
    t.false(algorithm.verify(signature, message.slice(1), publicKey));
    const flipped = signature.slice();
    flipped[10] = flipped[10]! ^ 1;
    t.false(algorithm.verify(flipped, message, publicKey));
  });
}

test("the hybrid signature fails when only its Ed25519 half is broken", (t) => {
  const hybrid = ALGORITHMS["ML-DSA-65+Ed25519"];
  const { publicKey, secretKey } = hybrid.keygen(randomBytes(hybrid.seedBytes));
  const signature = hybrid.sign(message, secretKey);
  const broken = signature.slice();
  broken[broken.length - 5] = broken[broken.length - 5]! ^ 1; // inside the trailing 64-byte Ed25519 signature
  t.false(hybrid.verify(broken, message, publicKey));
  t.true(hybrid.verify(signature, message, publicKey));
});
