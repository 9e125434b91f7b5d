// Signature algorithms, each a key pair derived from a seed. Signing is
// deterministic (no extra entropy), so the same manifest and key always
// give the same signature and images stay reproducible. The hybrid
// algorithm signs with ML-DSA-65 and Ed25519 together; both must verify.
import { ed25519 } from "@noble/curves/ed25519.js";
import { ml_dsa65, ml_dsa87 } from "@noble/post-quantum/ml-dsa.js";
import { slh_dsa_sha2_128f, slh_dsa_sha2_128s } from "@noble/post-quantum/slh-dsa.js";

export interface Algorithm {
  readonly name: AlgorithmName;
  readonly seedBytes: number;
  keygen(seed: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array };
  sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

export const ALGORITHM_NAMES = ["ML-DSA-65", "ML-DSA-87", "SLH-DSA-SHA2-128s", "SLH-DSA-SHA2-128f", "ML-DSA-65+Ed25519"] as const;
export type AlgorithmName = (typeof ALGORITHM_NAMES)[number];
export const DEFAULT_ALGORITHM: AlgorithmName = "ML-DSA-65";

/** Domain separation: a signature over an Exo manifest is valid for nothing else. */
const CONTEXT = new TextEncoder().encode("exo.manifest/v1");

interface PostQuantum {
  keygen(seed: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array };
  sign(msg: Uint8Array, sk: Uint8Array, opts: { context: Uint8Array; extraEntropy: false }): Uint8Array;
  verify(sig: Uint8Array, msg: Uint8Array, pk: Uint8Array, opts: { context: Uint8Array }): boolean;
}

function postQuantum(name: AlgorithmName, impl: PostQuantum, seedBytes: number): Algorithm {
  return {
    name,
    seedBytes,
    keygen: (seed) => impl.keygen(seed),
    sign: (message, secretKey) => impl.sign(message, secretKey, { context: CONTEXT, extraEntropy: false }),
    verify: (signature, message, publicKey) => {
      try {
        return impl.verify(signature, message, publicKey, { context: CONTEXT });
      } catch {
        return false; // a malformed signature is a signature that does not verify
      }
    },
  };
}

const mlDsa65 = postQuantum("ML-DSA-65", ml_dsa65 as unknown as PostQuantum, 32);

const ED25519_BYTES = { publicKey: 32, signature: 64 };

/** ML-DSA-65 and Ed25519 side by side: keys and signatures are the two concatenated, ML-DSA first. */
const hybrid: Algorithm = {
  name: "ML-DSA-65+Ed25519",
  seedBytes: 64,
  keygen(seed) {
    const pq = mlDsa65.keygen(seed.subarray(0, 32));
    const classicSecret = seed.subarray(32, 64);
    return { publicKey: concat(pq.publicKey, ed25519.getPublicKey(classicSecret)), secretKey: concat(pq.secretKey, classicSecret) };
  },
  sign(message, secretKey) {
    const pqSecret = secretKey.subarray(0, secretKey.length - 32);
    return concat(mlDsa65.sign(message, pqSecret), ed25519.sign(message, secretKey.subarray(secretKey.length - 32)));
  },
  verify(signature, message, publicKey) {
    const split = signature.length - ED25519_BYTES.signature;
    const keySplit = publicKey.length - ED25519_BYTES.publicKey;
    if (split <= 0 || keySplit <= 0) return false;
    const classic = (() => {
      try {
        return ed25519.verify(signature.subarray(split), message, publicKey.subarray(keySplit));
      } catch {
        return false;
      }
    })();
    return classic && mlDsa65.verify(signature.subarray(0, split), message, publicKey.subarray(0, keySplit));
  },
};

export const ALGORITHMS: Readonly<Record<AlgorithmName, Algorithm>> = {
  "ML-DSA-65": mlDsa65,
  "ML-DSA-87": postQuantum("ML-DSA-87", ml_dsa87 as unknown as PostQuantum, 32),
  "SLH-DSA-SHA2-128s": postQuantum("SLH-DSA-SHA2-128s", slh_dsa_sha2_128s as unknown as PostQuantum, 48),
  "SLH-DSA-SHA2-128f": postQuantum("SLH-DSA-SHA2-128f", slh_dsa_sha2_128f as unknown as PostQuantum, 48),
  "ML-DSA-65+Ed25519": hybrid,
};

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
