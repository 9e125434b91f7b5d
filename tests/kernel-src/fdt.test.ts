// core/fdt.c, compiled for this machine and fed the device trees QEMU gives
// the aarch64 and riscv64 `virt` machines (dumped by QEMU itself, with an
// initrd), then hostile ones: every structure offset, length and name offset
// is the blob's to lie about, and the reader must answer "nothing" rather
// than read outside it.
import test from "ava";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { fdt } from "../../kernel-src/core/fdt.ts";
import type { KernelTemplateInput } from "../../kernel-src/input.ts";
import { HOST_TYPES, hostProgram } from "./host-c.ts";

const run = promisify(execFile);

const DEFS = `#pragma once
int fdt_check(const void *fdt);
unsigned long fdt_size(const void *fdt);
int fdt_memory(const void *fdt, unsigned long *base, unsigned long *size, int max);
int fdt_initrd(const void *fdt, unsigned long *start, unsigned long *end);
`;

// Reads the blob into a buffer exactly its size (so AddressSanitizer catches any read past it) and prints what fdt.c finds.
const HARNESS = `#include <stdio.h>
#include <stdlib.h>
#include "types.h"
#include "defs.h"
int main(int argc, char **argv) {
  (void)argc;
  FILE *f = fopen(argv[1], "rb");
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *blob = malloc(n);
  if (fread(blob, 1, n, f) != (size_t)n) return 2;
  fclose(f);
  if (n < 40 || !fdt_check(blob) || fdt_size(blob) > (unsigned long)n) { printf("invalid\\n"); free(blob); return 0; }
  unsigned long base[4], size[4], start, end;
  int count = fdt_memory(blob, base, size, 4);
  for (int i = 0; i < count; i++) printf("memory %lx %lx\\n", base[i], size[i]);
  if (fdt_initrd(blob, &start, &end)) printf("initrd %lx %lx\\n", start, end);
  free(blob);
  return 0;
}
`;

async function reader(): Promise<(file: string) => Promise<string>> {
  const text = fdt.render({} as KernelTemplateInput)!.text;
  const program = await hostProgram({ "types.h": HOST_TYPES, "defs.h": DEFS, "fdt.c": text, "harness.c": HARNESS }, ["-fsanitize=address", "-fno-omit-frame-pointer"]);
  return (file) => program([file]);
}

/** The device tree QEMU's `virt` machine hands a kernel, with a 5-byte initrd. */
async function qemuTree(dir: string, qemu: string, extra: readonly string[]): Promise<Buffer> {
  const initrd = join(dir, "initrd");
  const image = join(dir, "image");
  await writeFile(initrd, "hello");
  await writeFile(image, Buffer.alloc(4096));
  const out = join(dir, `${qemu}.dtb`);
  await run(qemu, ["-M", `virt,dumpdtb=${out}`, ...extra, "-m", "128M", "-nodefaults", "-display", "none", "-kernel", image, "-initrd", initrd]);
  return readFile(out);
}

for (const [qemu, extra, ramBase] of [["qemu-system-aarch64", ["-cpu", "cortex-a72"], "40000000"], ["qemu-system-riscv64", [], "80000000"]] as const) {
  test(`the ${qemu} virt machine's tree: 128 MiB at ${ramBase}, and the initrd's 5 bytes`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), "exo-fdt-"));
    const read = await reader();
    const tree = await qemuTree(dir, qemu, extra);
    const file = join(dir, "tree.dtb");
    await writeFile(file, tree);
    const out = await read(file);
    t.regex(out, new RegExp(`^memory ${ramBase} 8000000$`, "m"), out);
    const m = /^initrd ([0-9a-f]+) ([0-9a-f]+)$/m.exec(out);
    t.truthy(m, out);
    t.is(parseInt(m![2]!, 16) - parseInt(m![1]!, 16), 5);
  });
}

test("hostile trees: bad magic, lying sizes and offsets, a name offset past the strings, a truncated blob: nothing found, nothing read outside", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "exo-fdt-"));
  const read = await reader();
  const good = await qemuTree(dir, "qemu-system-aarch64", ["-cpu", "cortex-a72"]);
  const total = good.readUInt32BE(4);
  const offStruct = good.readUInt32BE(8);
  const cases: [string, (b: Buffer) => Buffer][] = [
    ["bad magic", (b) => (b.writeUInt32BE(0xdeadbeef, 0), b)],
    ["total size past the file", (b) => (b.writeUInt32BE(total * 4, 4), b)],
    ["structure block past the end", (b) => (b.writeUInt32BE(total - 8, 8), b)],
    ["structure size past the end", (b) => (b.writeUInt32BE(0x7fffffff, 36), b)],
    ["strings past the end", (b) => (b.writeUInt32BE(total, 12), b)],
    ["an unknown token", (b) => (b.writeUInt32BE(7, offStruct), b)],
    ["a property longer than the block", (b) => {
      // The first FDT_PROP token after the root node's name: make its length huge.
      for (let at = offStruct; at < total; at += 4) if (b.readUInt32BE(at) === 3) return b.writeUInt32BE(0x7ffffff0, at + 4), b;
      return b;
    }],
    ["a name offset past the strings", (b) => {
      for (let at = offStruct; at < total; at += 4) if (b.readUInt32BE(at) === 3) return b.writeUInt32BE(0x7ffffff0, at + 8), b;
      return b;
    }],
    ["a truncated blob", (b) => b.subarray(0, Math.floor(total / 3))],
  ];
  for (const [what, edit] of cases) {
    const file = join(dir, "hostile.dtb");
    await writeFile(file, edit(Buffer.from(good.subarray(0, total))));
    const out = await read(file); // AddressSanitizer turns a read outside the blob into a failed run
    t.notRegex(out, /^memory /m, `${what}: ${out}`);
  }
});
