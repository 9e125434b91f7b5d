// core/sha256.c: SHA-256 (FIPS 180-4), for the kernel to check that the
// initrd it was handed is the one it was built for. Plain C, byte by byte,
// no SSE: the kernel is built without it.
import { emit, type Template } from "../template.ts";

const source = "core/sha256.ts";

/** The first 32 bits of the fractional parts of the cube roots of the first 64 primes (FIPS 180-4, 4.2.2). */
const K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];
/** The initial hash value: the first 32 bits of the fractional parts of the square roots of the first 8 primes. */
const H0 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

const hex = (n: number) => `0x${n.toString(16).padStart(8, "0")}`;

export const sha256: Template = {
  source,
  render() {
    return emit({ source, path: "core/sha256.c", summary: "SHA-256 of a byte range, used to check the initrd.", options: [] }, (w) => {
      w.line('#include "types.h"', '#include "defs.h"');
      w.blank();
      w.table(() => {
        w.line("static const uint32 k[64] = {");
        w.indent(() => {
          for (let i = 0; i < K.length; i += 8) w.line(`${K.slice(i, i + 8).map(hex).join(", ")},`);
        });
        w.line("};");
      });
      w.blank();
      w.line("#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))");
      w.blank();
      w.comment("Mix one 64-byte block into the hash state h.");
      w.fn("static void compress(uint32 h[8], const uint8 *block)", () => {
        w.line("uint32 m[64];");
        w.line("for (int i = 0; i < 16; i++)").indent(() =>
          w.line("m[i] = (uint32)block[4 * i] << 24 | (uint32)block[4 * i + 1] << 16 | (uint32)block[4 * i + 2] << 8 | block[4 * i + 3];"),
        );
        w.block("for (int i = 16; i < 64; i++) {", () => {
          w.line("uint32 s0 = ROTR(m[i - 15], 7) ^ ROTR(m[i - 15], 18) ^ (m[i - 15] >> 3);");
          w.line("uint32 s1 = ROTR(m[i - 2], 17) ^ ROTR(m[i - 2], 19) ^ (m[i - 2] >> 10);");
          w.line("m[i] = m[i - 16] + s0 + m[i - 7] + s1;");
        });
        w.line("uint32 a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];");
        w.block("for (int i = 0; i < 64; i++) {", () => {
          w.line("uint32 t1 = hh + (ROTR(e, 6) ^ ROTR(e, 11) ^ ROTR(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + m[i];");
          w.line("uint32 t2 = (ROTR(a, 2) ^ ROTR(a, 13) ^ ROTR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));");
          w.line("hh = g;", "g = f;", "f = e;", "e = d + t1;", "d = c;", "c = b;", "b = a;", "a = t1 + t2;");
        });
        w.line("h[0] += a;", "h[1] += b;", "h[2] += c;", "h[3] += d;", "h[4] += e;", "h[5] += f;", "h[6] += g;", "h[7] += hh;");
      });
      w.blank();
      w.comment("The SHA-256 of data[0..len) into out[0..32).");
      w.fn("void sha256(const uint8 *data, uint64 len, uint8 out[32])", () => {
        w.line(`uint32 h[8] = { ${H0.map(hex).join(", ")} };`);
        w.line("uint8 block[64];");
        w.line("uint64 done = 0;");
        w.line("for (; len - done >= 64; done += 64)").indent(() => w.line("compress(h, data + done);"));
        w.comment("The tail, a 1 bit, zeros, and the length in bits: one block, or two when the length does not fit.");
        w.line("uint64 rest = len - done;");
        w.line("memset(block, 0, sizeof block);", "memcpy(block, data + done, rest);", "block[rest] = 0x80;");
        w.block("if (rest >= 56) {", () => {
          w.line("compress(h, block);", "memset(block, 0, sizeof block);");
        });
        w.line("for (int i = 0; i < 8; i++)").indent(() => w.line("block[63 - i] = (uint8)((len * 8) >> (8 * i));"));
        w.line("compress(h, block);");
        w.line("for (int i = 0; i < 8; i++)").indent(() =>
          w.line("out[4 * i] = (uint8)(h[i] >> 24), out[4 * i + 1] = (uint8)(h[i] >> 16), out[4 * i + 2] = (uint8)(h[i] >> 8), out[4 * i + 3] = (uint8)h[i];"),
        );
      });
    });
  },
};
