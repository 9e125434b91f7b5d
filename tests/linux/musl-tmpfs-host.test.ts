// The kernel's tmpfs (core/tmpfs.c), compiled for this machine with stand-ins
// for the page and object allocators, and driven without booting: the page
// limit, pages and nodes given back by unlink and the last reference, holes
// and truncation reading as zeros, rename over a file, folder listings, the
// names the mounts add to their parents, and the limits on names and entries.
import test from "ava";
import { errnoDefines } from "../../kernel-src/errno.ts";
import { renderKernel } from "../../kernel-src/index.ts";
import type { KernelConfig } from "../../schemas/index.ts";
import { HOST_TYPES, hostProgram } from "../kernel-src/host-c.ts";
import { byPath, input } from "../kernel-src/inputs.ts";

const kernel = { ...input().kernel, tmpfs: { mounts: ["/tmp", "/var/scratch"], maxPages: 8 } } as KernelConfig;
const files = byPath(renderKernel({ ...input(), kernel }));

/** defs.h for the host: the tmpfs group of the generated defs.h, and the C library standing in for the rest. */
function hostDefs(): string {
  const defs = files.get("include/defs.h") ?? "";
  const group = defs.split("\n/* core/tmpfs.c */\n")[1]?.split("\n\n")[0];
  if (group === undefined) throw new Error("include/defs.h has no core/tmpfs.c group");
  return `#pragma once
#include <stdlib.h>
#include <string.h>
int64 path_clean(char *out, uint64 room, const char *dir, const char *path);
int path_under(const char *path, const char *prefix);
void *page_alloc(uint32 order);
void page_free(void *p, uint32 order);
void *kmalloc(uint64 size);
void kfree(void *p);
void preempt_off(void);
void preempt_on(void);
${group}
`;
}

const HARNESS = `#include <stdio.h>
#include "types.h"
#include "errno.h"
#include "ufile.h"
#include "defs.h"
#include "tmpfs.inc"
static int depth, objects;
void *page_alloc(uint32 order) { return aligned_alloc(4096, 4096UL << order); }
void page_free(void *p, uint32 order) { (void)order; free(p); }
void *kmalloc(uint64 size) { objects++; return malloc(size); }
void kfree(void *p) { objects--; free(p); }
void preempt_off(void) { depth++; }
void preempt_on(void) { depth--; }
static uint8 buf[8 * 4096];
static void counts(const char *when) { printf("%s: pages %lu nodes %lu objects %d preempt %d\\n", when, used_pages, used_nodes, objects, depth); }
static void ls(const char *path) {
  struct tnode *d;
  char name[256];
  uint64 cookie = 0;
  int type;
  printf("ls %s:", path);
  if (tmpfs_open(path, 0200000, &d) != 0) { printf(" cannot open\\n"); return; }
  while (tmpfs_dir_next(d, &cookie, name, &type)) printf(" %s%s", name, type == 4 ? "/" : "");
  printf("\\n");
  tmpfs_put(d);
}
int main(void) {
  struct tnode *a, *b, *d;
  uint64 off = 0, size;
  uint32 mode;
  char name[300], path[600];
  memset(buf, 'x', sizeof buf);
  tmpfs_open("tmp/a", 0101, &a); /* O_CREAT | O_WRONLY */
  int64 first = tmpfs_write(a, &off, buf, 3 * 4096, 0);
  int64 rest = tmpfs_write(a, &off, buf, 6 * 4096, 0);
  int64 full = tmpfs_write(a, &off, buf, 1, 0);
  printf("write 3 pages %ld, 6 more %ld, then %ld at size %lu\\n", first, rest, full, tmpfs_size(a));
  counts("full");
  int64 unlinked = tmpfs_remove("tmp/a", 0); /* each result in order: a call's arguments have none */
  printf("unlink %ld, stat %ld\\n", unlinked, tmpfs_stat("tmp/a", &size, &mode));
  printf("read the unlinked file %ld\\n", tmpfs_read(a, 8 * 4096 - 10, buf, 100));
  counts("unlinked, held");
  tmpfs_put(a);
  counts("released");

  tmpfs_open("tmp/h", 0102, &a); /* O_CREAT | O_RDWR */
  off = 5000;
  tmpfs_write(a, &off, (const uint8 *)"0123456789", 10, 0);
  memset(buf, 1, 16);
  tmpfs_read(a, 0, buf, 16);
  printf("hole reads %s, pages %lu\\n", buf[0] == 0 && buf[15] == 0 ? "zeros" : "data", used_pages);
  tmpfs_truncate(a, 4097);
  tmpfs_truncate(a, 6000);
  memset(buf, 1, 16);
  tmpfs_read(a, 5000, buf, 16);
  printf("cut to 4097 and grown to 6000: %s at 5000, size %lu, pages %lu\\n", buf[0] == 0 && buf[15] == 0 ? "zeros" : "data", tmpfs_size(a), used_pages);
  tmpfs_write(a, &off, (const uint8 *)"z", 1, 1);
  printf("append at %lu\\n", off);
  tmpfs_put(a);
  tmpfs_remove("tmp/h", 0);

  tmpfs_mkdir("tmp/d");
  tmpfs_mkdir("tmp/d/sub");
  tmpfs_open("tmp/d/x", 0101, &a);
  tmpfs_open("tmp/z", 0101, &b);
  off = 0;
  tmpfs_write(b, &off, (const uint8 *)"old", 3, 0);
  ls("tmp/d");
  int64 over = tmpfs_rename("tmp/d/x", "tmp/z"), into = tmpfs_rename("tmp/d", "tmp/d/sub/e");
  int64 root = tmpfs_rename("var/scratch", "tmp/s"), below = tmpfs_rename("tmp/d", "tmp/z/q");
  printf("rename x over z %ld, into itself %ld, a root %ld, below a file %ld\\n", over, into, root, below);
  tmpfs_path(a, path, sizeof path);
  printf("renamed node's path %s, old z still open reads %ld bytes\\n", path, tmpfs_read(b, 0, buf, 10));
  tmpfs_put(a);
  tmpfs_put(b);
  ls("tmp");
  int64 full_dir = tmpfs_remove("tmp/d", 1), unlink_dir = tmpfs_remove("tmp/d", 0), rmdir_file = tmpfs_remove("tmp/z", 1);
  int64 rmdir_root = tmpfs_remove("tmp", 1), again = tmpfs_mkdir("tmp/d"), below_file = tmpfs_mkdir("tmp/z/e");
  printf("rmdir full %ld, unlink a folder %ld, rmdir a file %ld, rmdir a root %ld, mkdir again %ld, below a file %ld\\n", full_dir, unlink_dir, rmdir_file,
         rmdir_root, again, below_file);
  tmpfs_remove("tmp/d/sub", 1);
  tmpfs_open("tmp/d", 0200000, &d);
  tmpfs_remove("tmp/d", 1);
  int64 held_path = tmpfs_path(d, path, sizeof path);
  printf("removed folder held: path %ld, create in it %ld\\n", held_path, tmpfs_mkdir("tmp/d/n"));
  tmpfs_put(d);
  tmpfs_remove("tmp/z", 0);
  counts("emptied");

  memset(name, 'n', 256);
  name[256] = 0;
  snprintf(path, sizeof path, "tmp/%s", name);
  int64 long_name = tmpfs_mkdir(path);
  name[255] = 0;
  snprintf(path, sizeof path, "tmp/%s", name);
  printf("a name of 256 bytes %ld, of 255 %ld\\n", long_name, tmpfs_mkdir(path));
  tmpfs_remove(path, 1);
  int made = 0;
  int64 err = 0;
  for (int i = 0; err == 0; i++) {
    snprintf(path, sizeof path, "var/scratch/f%d", i);
    if ((err = tmpfs_mkdir(path)) == 0) made++;
  }
  printf("a folder holds %d entries, then %ld\\n", made, err);
  for (int i = 0; i < made; i++) {
    snprintf(path, sizeof path, "var/scratch/f%d", i);
    tmpfs_remove(path, 1);
  }
  uint64 cookie = 0;
  printf("the root gains:");
  while (tmpfs_mount_next("", &cookie, name)) printf(" %s", name);
  cookie = 0;
  printf("; var gains:");
  while (tmpfs_mount_next("var", &cookie, name)) printf(" %s", name);
  printf("; var implied %d, var/scratch owned %d, var/scratchy owned %d\\n", tmpfs_implies_dir("var"), tmpfs_owns("var/scratch/f"), tmpfs_owns("var/scratchy"));
  counts("end");
  return 0;
}
`;

test("the tmpfs keeps its page limit, gives pages and nodes back, reads holes as zeros and renames, lists and refuses as Linux does", async (t) => {
  const run = await hostProgram({
    "types.h": HOST_TYPES,
    "errno.h": `#pragma once\n${errnoDefines().join("\n")}\n`,
    "ufile.h": files.get("include/ufile.h") ?? "",
    "memlayout.h": files.get("include/memlayout.h") ?? "",
    "defs.h": hostDefs(),
    "tmpfs.inc": files.get("core/tmpfs.c") ?? "",
    "path.c": files.get("core/path.c") ?? "",
    "harness.c": HARNESS,
  });
  const lines = (await run([])).trim().split("\n");
  t.deepEqual(lines, [
    "write 3 pages 12288, 6 more 20480, then -28 at size 32768",
    "full: pages 8 nodes 1 objects 2 preempt 0",
    "unlink 0, stat -2",
    "read the unlinked file 10",
    "unlinked, held: pages 8 nodes 1 objects 2 preempt 0",
    "released: pages 0 nodes 0 objects 0 preempt 0",
    "hole reads zeros, pages 1",
    "cut to 4097 and grown to 6000: zeros at 5000, size 6000, pages 1",
    "append at 6001",
    "ls tmp/d: sub/ x",
    "rename x over z 0, into itself -22, a root -16, below a file -20",
    "renamed node's path tmp/z, old z still open reads 3 bytes",
    "ls tmp: d/ z",
    "rmdir full -39, unlink a folder -21, rmdir a file -20, rmdir a root -16, mkdir again -17, below a file -20",
    "removed folder held: path -1, create in it -2",
    "emptied: pages 0 nodes 0 objects 0 preempt 0",
    "a name of 256 bytes -36, of 255 0",
    "a folder holds 256 entries, then -28",
    "the root gains: tmp var; var gains: scratch; var implied 1, var/scratch owned 1, var/scratchy owned 0",
    "end: pages 0 nodes 0 objects 0 preempt 0",
  ]);
});
