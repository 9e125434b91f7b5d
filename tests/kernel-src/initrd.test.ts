// The kernel's initrd lookup, compiled for this machine and run on archives
// packTar writes: regular files, and symlinks followed relative to their
// folder or from the root, never above it, at most 8 deep; folders the names
// imply, listed, and symlinks read.
import test from "ava";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initrd } from "../../kernel-src/core/initrd.ts";
import { memlayout } from "../../kernel-src/arch/x86_64/memlayout.ts";
import { path } from "../../kernel-src/core/path.ts";
import type { KernelTemplateInput } from "../../kernel-src/input.ts";
import { packTar, unpackTar, type TarEntry, type TarSymlink } from "../../generator/image/tar.ts";
import { HOST_TYPES, hostProgram } from "./host-c.ts";

const DEFS = `#pragma once
#include <string.h>
int64 path_clean(char *out, uint64 room, const char *dir, const char *path);
int path_under(const char *path, const char *prefix);
void sha256(const uint8 *data, uint64 len, uint8 out[32]);
extern const char build_initrd_sha256[];
void initrd_accept(const uint8 *start, uint64 len);
int initrd_lookup(const char *path, const uint8 **data, uint64 *len);
int64 initrd_readlink(const char *path, char *out, uint64 n);
int initrd_is_dir(const char *path);
int initrd_dir_next(const char *dir, uint64 *cookie, char out[256], int *type);
`;

const HARNESS = `#include <stdio.h>
#include "types.h"
#include "defs.h"
const char build_initrd_sha256[65];
void sha256(const uint8 *data, uint64 len, uint8 out[32]) { (void)data; (void)len; memset(out, 0, 32); }
static uint8 archive[1 << 20];
int main(int argc, char **argv) {
  FILE *f = fopen(argv[1], "rb");
  uint64 n = fread(archive, 1, sizeof archive, f);
  initrd_accept(archive, n);
  for (int i = 2; i < argc; i++) {
    const uint8 *data;
    uint64 len;
    if (strncmp(argv[i], "ls:", 3) == 0) { /* a folder's listing: name/d_type each, or "not a folder" */
      char name[256];
      uint64 cookie = 0;
      int type;
      printf("%s=", argv[i]);
      if (!initrd_is_dir(argv[i] + 3))
        printf("not a folder");
      while (initrd_is_dir(argv[i] + 3) && initrd_dir_next(argv[i] + 3, &cookie, name, &type))
        printf("%s/%d ", name, type);
      printf("\\n");
    } else if (strncmp(argv[i], "rl:", 3) == 0) { /* a symlink's target, cut at 12 bytes; or the error */
      char out[12];
      int64 n = initrd_readlink(argv[i] + 3, out, sizeof out);
      printf("%s=%.*s\\n", argv[i], n < 0 ? 2 : (int)n, n == -1 ? "-1" : n == -2 ? "-2" : out);
    } else if (initrd_lookup(argv[i], &data, &len))
      printf("%s=%.*s\\n", argv[i], (int)len, (const char *)data);
    else
      printf("%s=none\\n", argv[i]);
  }
  return 0;
}
`;

const file = (name: string, text: string): TarEntry => ({ name, data: Buffer.from(text) });
const link = (name: string, linkTarget: string): TarSymlink => ({ name, linkTarget });

async function lookups(entries: readonly (TarEntry | TarSymlink)[], paths: readonly string[]): Promise<Record<string, string>> {
  const render = (t: { render(i: KernelTemplateInput): { text: string } | undefined }) => t.render({} as KernelTemplateInput)!.text;
  const run = await hostProgram({
    "types.h": HOST_TYPES,
    "defs.h": DEFS,
    "multiboot.h": "#define MB1_LOADER_MAGIC 0x2badb002\n#define MB2_LOADER_MAGIC 0x36d76289\n#define MB2_TAG_END 0\n",
    "memlayout.h": render(memlayout), // initrd_find reads the loader's physical addresses through P2V
    "path.c": render(path),
    "initrd.c": render(initrd),
    "harness.c": HARNESS,
  });
  const tar = join(tmpdir(), `exo-initrd-${process.pid}-${Math.random().toString(36).slice(2)}.tar`);
  await writeFile(tar, await packTar(entries, 0));
  const out = await run([tar, ...paths]);
  return Object.fromEntries(out.trim().split("\n").map((l) => [l.slice(0, l.lastIndexOf("=")), l.slice(l.lastIndexOf("=") + 1)]));
}

test("the lookup follows relative and absolute symlinks, with or without a leading slash", async (t) => {
  const got = await lookups(
    [
      file("exo/apps/hello/0.2.0/bin/hello", "HELLO-0.2.0"),
      file("exo/apps/hello/0.1.0/bin/hello", "HELLO-0.1.0"),
      link("exo/bin/hello", "../apps/hello/0.2.0/bin/hello"),
      file("etc/exo/config.json", "{}"),
      link("exo/bin/config", "/etc/exo/config.json"),
      link("exo/bin/up", "../../etc/./exo//config.json"),
      link("exo/bin/via", "hello"),
    ],
    ["exo/bin/hello", "/exo/bin/hello", "//exo/./bin/hello", "exo/bin/config", "exo/bin/up", "exo/bin/via", "exo/apps/hello/0.1.0/bin/hello", "exo/bin/missing", "exo/bin"],
  );
  t.deepEqual(got, {
    "exo/bin/hello": "HELLO-0.2.0",
    "/exo/bin/hello": "HELLO-0.2.0",
    "//exo/./bin/hello": "HELLO-0.2.0",
    "exo/bin/config": "{}",
    "exo/bin/up": "{}",
    "exo/bin/via": "HELLO-0.2.0",
    "exo/apps/hello/0.1.0/bin/hello": "HELLO-0.1.0",
    "exo/bin/missing": "none",
    "exo/bin": "none",
  });
});

test("a symlink never leads above the initrd's root, and chains stop after 8 links", async (t) => {
  const chain = Array.from({ length: 9 }, (_, i) => link(`c/l${i + 1}`, i === 8 ? "../target" : `l${i + 2}`));
  const got = await lookups(
    [
      file("target", "T"),
      file("etc/secret", "S"),
      link("exo/bin/escape", "../../../etc/secret"),
      link("top", "../target"),
      link("loop/a", "b"),
      link("loop/b", "a"),
      ...chain,
    ],
    ["exo/bin/escape", "top", "../target", "loop/a", "c/l2", "c/l1", "c/l9"],
  );
  t.deepEqual(got, {
    "exo/bin/escape": "none",
    top: "none",
    "../target": "none",
    "loop/a": "none",
    "c/l2": "T", // 8 links: l2 … l9, then the file
    "c/l1": "none", // 9 links
    "c/l9": "T",
  });
});

test("folders are implied by the names: each child listed once with its type, symlinks read without following", async (t) => {
  const got = await lookups(
    [
      file("exo/apps/hello/0.2.0/bin/hello", "H"),
      file("exo/apps/hello/0.1.0/bin/hello", "H"),
      link("exo/bin/hello", "../apps/hello/0.2.0/bin/hello"),
      file("etc/exo/services", "S"),
      link("exo/bin/via", "hello"),
    ],
    ["ls:exo/bin", "ls:exo", "ls:exo/apps/hello", "ls:", "ls:etc/exo/services", "ls:ex", "ls:exo/bin/hello", "rl:exo/bin/via", "rl:exo/bin/hello", "rl:etc/exo/services", "rl:exo/missing"],
  );
  t.deepEqual(got, {
    "ls:exo/bin": "hello/10 via/10 ",
    "ls:exo": "apps/4 bin/4 ",
    "ls:exo/apps/hello": "0.1.0/4 0.2.0/4 ", // the archive's order (packTar sorts)
    "ls:": "etc/4 exo/4 ",
    "ls:etc/exo/services": "not a folder",
    "ls:ex": "not a folder", // a prefix of a name is no folder: whole components only
    "ls:exo/bin/hello": "not a folder",
    "rl:exo/bin/via": "hello",
    "rl:exo/bin/hello": "../apps/hell", // cut at the buffer's 12 bytes
    "rl:etc/exo/services": "-2",
    "rl:exo/missing": "-1",
  });
});

test("packTar writes symlinks as ustar typeflag 2, deterministically, and unpackTar reads them back", async (t) => {
  const entries = [file("b", "x"), link("a", "../apps/a/1.0.0/bin/a")];
  const first = await packTar(entries, 7);
  t.deepEqual(first, await packTar([...entries].reverse(), 7));
  t.is(String.fromCharCode(first[156]!), "2");
  t.is(first.subarray(157, 157 + 21).toString(), "../apps/a/1.0.0/bin/a");
  const back = await unpackTar(first);
  t.deepEqual(back.symlinks, [{ name: "a", linkTarget: "../apps/a/1.0.0/bin/a" }]);
  t.deepEqual(back.entries.map((e) => e.name), ["b"]);
  await t.throwsAsync(packTar([link("long", "x".repeat(101))], 0), { message: /symlink long needs a target of 1 to 100 bytes/ });
});
