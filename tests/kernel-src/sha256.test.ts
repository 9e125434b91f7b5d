// The kernel's SHA-256, compiled for this machine and checked against
// node:crypto on the lengths where padding changes shape.
import test from "ava";
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { sha256 } from "../../kernel-src/core/sha256.ts";
import type { KernelTemplateInput } from "../../kernel-src/input.ts";

const run = promisify(execFile);

const HARNESS = `
#include <stdio.h>
#include <stdlib.h>
typedef unsigned char uint8;
typedef unsigned long uint64;
void sha256(const uint8 *data, uint64 len, uint8 out[32]);
int main(int argc, char **argv) {
  (void)argc;
  FILE *f = fopen(argv[1], "rb");
  static uint8 buf[1 << 20];
  uint64 n = fread(buf, 1, sizeof buf, f);
  uint8 out[32];
  sha256(buf, n, out);
  for (int i = 0; i < 32; i++) printf("%02x", out[i]);
  return 0;
}
`;

test("the generated sha256.c agrees with node:crypto around every padding boundary", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "exo-sha256-"));
  await writeFile(join(dir, "types.h"), "typedef unsigned char uint8;\ntypedef unsigned int uint32;\ntypedef unsigned long uint64;\n");
  await writeFile(join(dir, "defs.h"), "#include <string.h>\n");
  await writeFile(join(dir, "sha256.c"), sha256.render({} as KernelTemplateInput)!.text);
  await writeFile(join(dir, "harness.c"), HARNESS);
  await run("clang", ["-O2", "-Wall", "-Wextra", "-Werror", "-I", dir, join(dir, "sha256.c"), join(dir, "harness.c"), "-o", join(dir, "sha")]);
  for (const length of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 1000, 100_003]) {
    const data = randomBytes(length);
    await writeFile(join(dir, "input"), data);
    const { stdout } = await run(join(dir, "sha"), [join(dir, "input")]);
    t.is(stdout, createHash("sha256").update(data).digest("hex"), `length ${length}`);
  }
});
