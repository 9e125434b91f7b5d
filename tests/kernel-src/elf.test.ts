// The ELF loader's ABI choice and placement (issue 15), compiled for this
// machine: a program built with Exo's SDK carries the Exo note and loads in
// the 2 MiB window; a musl-gcc program has none, so it runs under the Linux
// ABI, loaded at its own addresses, with AT_PHDR's address found: where the
// musl toolchain links, and at Linux's usual 0x400000 too (the kernel lives in
// the higher half). A segment below USER_MIN (the null guard), an Exo program
// outside its window, or a writable and executable segment is refused.
import test from "ava";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { elf } from "../../kernel-src/core/elf.ts";
import { memlayout } from "../../kernel-src/arch/x86_64/memlayout.ts";
import { renderUser, userToolchain as userToolchainOf } from "../../kernel-src/user/index.ts";
import type { KernelTemplateInput } from "../../kernel-src/input.ts";
import { HOST_TYPES, hostProgram } from "./host-c.ts";

const run = promisify(execFile);

const DEFS = `#pragma once
#include <string.h>
#define UVM_WRITE 1
#define UVM_NOEXEC 2
struct elf_info { uint64 entry, phdr, phnum, phent, end; int exo; };
void *uvm_page(uint64 pml4, uint64 va);
void *uvm_map_zeroed(uint64 pml4, uint64 va, int prot);
int elf_load(uint64 pml4, const uint8 *data, uint64 len, struct elf_info *info);
`;

// A stand-in address space: up to 4096 pages, each remembered with its rights.
const HARNESS = `#include <stdio.h>
#include <stdlib.h>
#include "types.h"
#include "defs.h"
static struct { uint64 va; int prot; uint8 *page; } pages[4096];
static int npages;
void *uvm_page(uint64 pml4, uint64 va) {
  (void)pml4;
  for (int i = 0; i < npages; i++)
    if (pages[i].va == va) return pages[i].page;
  return NULL;
}
void *uvm_map_zeroed(uint64 pml4, uint64 va, int prot) {
  (void)pml4;
  if (npages == 4096) return NULL;
  pages[npages].va = va;
  pages[npages].prot = prot;
  return pages[npages++].page = calloc(1, 4096);
}
static uint8 file[8 << 20];
int main(int argc, char **argv) {
  (void)argc;
  FILE *f = fopen(argv[1], "rb");
  uint64 n = fread(file, 1, sizeof file, f);
  struct elf_info info;
  int err = elf_load(0, file, n, &info);
  if (err != 0) { printf("err %d\\n", err); return 0; }
  printf("exo %d entry %lx phdr %lx phnum %lu end %lx\\n", info.exo, info.entry, info.phdr, info.phnum, info.end);
  for (int i = 0; i < npages; i++) printf("page %lx %d\\n", pages[i].va, pages[i].prot);
  return 0;
}
`;

const render = (t: { render(i: KernelTemplateInput): { text: string } | undefined }) => t.render({} as KernelTemplateInput)!.text;

async function loader(): Promise<(file: string) => Promise<string>> {
  const program = await hostProgram({ "types.h": HOST_TYPES, "arch.h": "#pragma once\n#define ARCH_ELF_MACHINE 62\n#define ARCH_LINUX_ABI 1\n", "defs.h": DEFS, "memlayout.h": render(memlayout), "elf.c": render(elf), "harness.c": HARNESS });
  return (file) => program([file]);
}

const MAIN = "int answer = 42;\nint main(void) { return answer; }\n";

/** The file with its first PT_LOAD changed by edit (the bytes of that program header, at its offset). */
async function patchFirstLoad(from: string, to: string, edit: (bytes: Buffer, at: number) => void): Promise<void> {
  const bytes = await readFile(from);
  const phoff = Number(bytes.readBigUInt64LE(32));
  for (let i = 0; i < bytes.readUInt16LE(56); i++) {
    const at = phoff + i * 56;
    if (bytes.readUInt32LE(at) === 1) {
      edit(bytes, at);
      break;
    }
  }
  await writeFile(to, bytes);
}

test("an SDK program has the Exo note and loads in the window; a musl one runs under Linux at its own addresses, 0x400000 included; below USER_MIN, outside the window and W+X are refused", async (t) => {
  const load = await loader();
  const dir = await mkdtemp(join(tmpdir(), "exo-elf-"));
  await writeFile(join(dir, "main.c"), MAIN);
  // Exo's SDK: crt0 (with its note) and the user linker script, as a package is linked.
  for (const f of renderUser("x86_64")) if (f.path === "lib/crt0.S" || f.path === "user.ld") await writeFile(join(dir, f.path.replace("lib/", "")), f.text);
  const userToolchain = userToolchainOf("x86_64");
  const target = `--target=${userToolchain.target}`;
  await run("clang", [target, ...userToolchain.asflags, "-c", join(dir, "crt0.S"), "-o", join(dir, "crt0.o")]);
  await run("clang", [target, ...userToolchain.cflags.filter((f) => f !== "-Werror"), "-c", join(dir, "main.c"), "-o", join(dir, "main.o")]);
  await run("ld.lld", [...userToolchain.ldflags, "-T", join(dir, "user.ld"), "-o", join(dir, "exo"), join(dir, "crt0.o"), join(dir, "main.o")]);
  const exo = await load(join(dir, "exo"));
  t.regex(exo, /^exo 1 entry 4000[0-9a-f]{4} /, exo);
  t.true(exo.split("\n").filter((l) => l.startsWith("page ")).every((l) => /^page 400[0-9a-f]{5} [012]$/.test(l)), exo);

  // musl-gcc, linked where the musl toolchain links (generator/packages/plan.ts).
  await run("musl-gcc", ["-static", "-O2", "-Wl,--build-id=none", "-Wl,-Ttext-segment=0x41000000", join(dir, "main.c"), "-o", join(dir, "linux")]);
  const linux = await load(join(dir, "linux"));
  t.regex(linux, /^exo 0 entry 410[0-9a-f]{5} phdr 41000040 phnum \d+ end 410[0-9a-f]{2}000$/m, linux);
  const prots = new Set(linux.split("\n").filter((l) => l.startsWith("page ")).map((l) => l.split(" ")[2]));
  t.deepEqual([...prots].sort(), ["0", "1", "2"], "code read-execute, constants read-only, data read-write");

  // Linux's usual address: the kernel is in the higher half, so it loads where it was linked.
  await run("musl-gcc", ["-static", "-O2", join(dir, "main.c"), "-o", join(dir, "low")]);
  const low = await load(join(dir, "low"));
  t.regex(low, /^exo 0 entry 4[0-9a-f]{5} phdr 400040 phnum \d+ end 4[0-9a-f]{2}000$/m, low);
  t.true(low.split("\n").filter((l) => l.startsWith("page ")).every((l) => /^page 4[0-9a-f]{5} [012]$/.test(l)), low);

  // Its first PT_LOAD moved into the first 64 KiB (below USER_MIN, the null guard): refused.
  await patchFirstLoad(join(dir, "low"), join(dir, "null"), (b, at) => b.writeBigUInt64LE(0x1000n, at + 16));
  t.is((await load(join(dir, "null"))).trim(), "err -8");

  // An Exo program whose first PT_LOAD is moved out of its window (to Linux's 0x400000): refused.
  await patchFirstLoad(join(dir, "exo"), join(dir, "exo-low"), (b, at) => b.writeBigUInt64LE(0x400000n, at + 16));
  t.is((await load(join(dir, "exo-low"))).trim(), "err -8");

  // The same musl program with its first PT_LOAD made writable and executable: refused (W^X).
  await patchFirstLoad(join(dir, "linux"), join(dir, "wx"), (b, at) => b.writeUInt32LE(7, at + 4));
  t.is((await load(join(dir, "wx"))).trim(), "err -8");
});
