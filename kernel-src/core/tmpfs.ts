// core/tmpfs.c: the writable file systems in RAM, one at each folder of
// kernel.tmpfs.mounts (/tmp always). A node is a file or a folder; a file's
// bytes live in pages from page_alloc, taken as it is written, all mounts
// together holding at most kernel.tmpfs.maxPages of them (ENOSPC past it).
// Nodes are counted references: a file unlinked while open stays readable
// until its last descriptor closes. Paths are core/path.c's normal form; the
// caller (core/file.c) checks the sandbox first. Every operation runs with
// preemption off, so one process's change is whole when another looks.
import type { KernelTemplateInput } from "../input.ts";
import { tmpfsConfig } from "../input.ts";
import { inlineDefines, tmpfsSection } from "../params.ts";
import { cleanPrefix } from "./sandbox.ts";
import { cString, emit, type Template } from "../template.ts";

const source = "core/tmpfs.ts";

export const tmpfs: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    const { mounts } = tmpfsConfig(k);
    const summary = "Writable file systems in RAM at /tmp and the profile's kernel.tmpfs.mounts: files and folders, data in pages up to kernel.tmpfs.maxPages, reference-counted nodes.";
    return emit({ source, path: "core/tmpfs.c", summary, options: ["kernel.tmpfs.mounts", "kernel.tmpfs.maxPages"] }, (w) => {
      w.line('#include "types.h"', '#include "errno.h"', '#include "memlayout.h"', '#include "ufile.h"', '#include "defs.h"');
      w.blank();
      w.line(...inlineDefines(tmpfsSection(k).rows));
      w.line(
        "#define TMPFS_MOUNTS EXO_TMPFS_MOUNT_COUNT",
        "#define TMPFS_NAME_MAX 255   /* bytes of one name */",
        "#define TMPFS_NODES 1024     /* files and folders in all mounts at once (ENOSPC past it) */",
        "#define TMPFS_DIR_MAX 256    /* entries of one folder (ENOSPC past it) */",
        "#define TMPFS_FILE_PAGES 512 /* pages of one file: its page index is one page (EFBIG past 2 MiB) */",
      );
      w.blank();
      w.comment("A file or a folder. A mount's root has no parent; its name is the mount's path.");
      w.line(`struct tnode {
    struct tnode *parent;  /* the folder holding it; NULL for a root */
    struct tnode *child;   /* a folder's first entry; entries in ascending ino */
    struct tnode *next;    /* the next entry of its folder */
    const char *name;      /* kmalloc'd (a root's is the mount path, static) */
    uint8 **pages;         /* a file's page index (NULL: no page yet); a NULL page reads as zeros */
    uint64 size;           /* a file's bytes; a folder's entries */
    uint64 ino;
    uint32 refs;           /* descriptors holding it */
    int linked;            /* in its folder (a root always) */
    int dir;
};`);
      w.blank();
      w.comment("The roots, one per mount, in kernel.tmpfs.mounts' order (/tmp first).");
      w.line("static struct tnode roots[TMPFS_MOUNTS] = {");
      w.indent(() => w.line(...mounts.map((m, i) => `{ .name = ${cString(cleanPrefix(m))}, .ino = ${i + 1}, .linked = 1, .dir = 1 },`)));
      w.line("};");
      w.line(`static uint64 used_pages, used_nodes, next_ino = TMPFS_MOUNTS + 1;`);
      w.blank();
      w.comment("The mount holding path, or -1; *rest is where its part below the root starts.");
      w.fn("static int mount_of(const char *path, const char **rest)", () => {
        w.line(`for (int i = 0; i < TMPFS_MOUNTS; i++) {
    if (path_under(path, roots[i].name)) {
        uint64 n = strlen(roots[i].name);
        *rest = path + n + (path[n] == '/');
        return i;
    }
}
return -1;`);
      });
      w.blank();
      w.comment("Whether path is a mount or lies inside one.");
      w.fn("int tmpfs_owns(const char *path)", () => w.line("const char *rest;", "return mount_of(path, &rest) >= 0;"));
      w.blank();
      w.comment("Whether the two paths lie in the same mount (rename across mounts is EXDEV).");
      w.fn("int tmpfs_same_mount(const char *a, const char *b)", () => w.line("const char *rest;", "return mount_of(a, &rest) == mount_of(b, &rest);"));
      w.blank();
      w.comment("Whether a mount lies strictly below path: path is then a folder, even with nothing of the initrd in it.");
      w.fn("int tmpfs_implies_dir(const char *path)", () => {
        w.line(`for (int i = 0; i < TMPFS_MOUNTS; i++)
    if (path_under(roots[i].name, path) && strlen(roots[i].name) != strlen(path))
        return 1;
return 0;`);
      });
      w.blank();
      w.comment(
        "The next name the mounts add to folder dir (not itself in a tmpfs), from",
        "mount *cookie on: the component of a mount's path right below dir, each",
        "once. Into out; 1, or 0 at the end.",
      );
      w.fn("int tmpfs_mount_next(const char *dir, uint64 *cookie, char out[256])", () => {
        w.line(`uint64 dlen = strlen(dir), skip = dlen > 0 ? dlen + 1 : 0;
while (*cookie < TMPFS_MOUNTS) {
    const char *m = roots[(*cookie)++].name;
    if (!path_under(m, dir) || (dlen > 0 && m[dlen] == 0))
        continue;
    uint64 len = 0;
    while (m[skip + len] != 0 && m[skip + len] != '/')
        len++;
    int seen = 0; /* named by an earlier mount (var/a and var/b both add var to the root) */
    for (uint64 j = 0; j + 1 < *cookie && !seen; j++)
        seen = path_under(roots[j].name, dir) && (dlen == 0 || roots[j].name[dlen] == '/') && memcmp(roots[j].name + skip, m + skip, len) == 0 &&
               (roots[j].name[skip + len] == 0 || roots[j].name[skip + len] == '/');
    if (seen || len > TMPFS_NAME_MAX)
        continue;
    memcpy(out, m + skip, len);
    out[len] = 0;
    return 1;
}
return 0;`);
      });
      w.blank();
      w.comment("Folder d's entry named name (len bytes), or NULL.");
      w.fn("static struct tnode *child_named(struct tnode *d, const char *name, uint64 len)", () => {
        w.line(`for (struct tnode *c = d->child; c != NULL; c = c->next)
    if (memcmp(c->name, name, len) == 0 && c->name[len] == 0)
        return c;
return NULL;`);
      });
      w.blank();
      w.comment(
        "Walk path (in a mount) to its node: *node, NULL when only the last",
        "component is missing; *parent and *leaf (len bytes) name where it is or",
        "would be (*parent NULL for a root). 0, -ENOENT (a folder on the way",
        "missing), -ENOTDIR (a file on the way) or -ENAMETOOLONG.",
      );
      w.fn("static int64 walk(const char *path, struct tnode **node, struct tnode **parent, const char **leaf, uint64 *len)", () => {
        w.line(`const char *at;
int m = mount_of(path, &at);
if (m < 0)
    return -ENOENT;
struct tnode *n = &roots[m];
*parent = NULL;
*leaf = at;
*len = 0;
while (*at != 0) {
    const char *end = at;
    while (*end != 0 && *end != '/')
        end++;
    if (!n->dir)
        return -ENOTDIR;
    if ((uint64)(end - at) > TMPFS_NAME_MAX)
        return -ENAMETOOLONG;
    *parent = n;
    *leaf = at;
    *len = (uint64)(end - at);
    n = child_named(n, at, *len);
    at = *end == '/' ? end + 1 : end;
    if (n == NULL) {
        if (*at != 0)
            return -ENOENT;
        break;
    }
}
*node = n;
return 0;`);
      });
      w.blank();
      w.comment("Put n into folder d, keeping d's entries in ascending ino (getdents64 resumes after the last ino it gave).");
      w.fn("static void link_in(struct tnode *d, struct tnode *n)", () => {
        w.line(`struct tnode **at = &d->child;
while (*at != NULL && (*at)->ino < n->ino)
    at = &(*at)->next;
n->next = *at;
*at = n;
n->parent = d;
n->linked = 1;
d->size++;`);
      });
      w.blank();
      w.comment("Take n out of its folder.");
      w.fn("static void link_out(struct tnode *n)", () => {
        w.line(`struct tnode **at = &n->parent->child;
while (*at != n)
    at = &(*at)->next;
*at = n->next;
n->parent->size--;
n->next = NULL;
n->linked = 0;`);
      });
      w.blank();
      w.comment("Free file n's pages from index keep on (a NULL index or page: nothing to free).");
      w.fn("static void drop_pages(struct tnode *n, uint64 keep)", () => {
        w.line(`if (n->pages == NULL)
    return;
for (uint64 i = keep; i < TMPFS_FILE_PAGES; i++) {
    if (n->pages[i] != NULL) {
        page_free(n->pages[i], 0);
        n->pages[i] = NULL;
        used_pages--;
    }
}
if (keep == 0) {
    page_free(n->pages, 0);
    n->pages = NULL;
}`);
      });
      w.blank();
      w.comment("Free n once no folder and no descriptor holds it.");
      w.fn("static void node_release(struct tnode *n)", () => {
        w.line(`if (n->linked || n->refs > 0 || n->parent == NULL)
    return;
drop_pages(n, 0);
kfree((void *)n->name);
kfree(n);
used_nodes--;`);
      });
      w.blank();
      w.comment("A new file or folder named name (len bytes) in folder d. NULL past the limits (-ENOSPC) or out of memory.");
      w.fn("static struct tnode *node_new(struct tnode *d, const char *name, uint64 len, int dir)", () => {
        w.line(`if (used_nodes >= TMPFS_NODES || d->size >= TMPFS_DIR_MAX)
    return NULL;
struct tnode *n = kmalloc(sizeof *n);
char *s = kmalloc(len + 1);
if (n == NULL || s == NULL) {
    if (n != NULL)
        kfree(n);
    if (s != NULL)
        kfree(s);
    return NULL;
}
memset(n, 0, sizeof *n);
memcpy(s, name, len);
s[len] = 0;
n->name = s;
n->dir = dir;
n->ino = next_ino++;
used_nodes++;
link_in(d, n);
return n;`);
      });
      w.blank();
      w.comment("One more descriptor holds n.");
      w.fn("void tmpfs_hold(struct tnode *n)", () => w.line("preempt_off();", "n->refs++;", "preempt_on();"));
      w.blank();
      w.comment("One descriptor less holds n: an unlinked node goes with its last one.");
      w.fn("void tmpfs_put(struct tnode *n)", () => w.line("preempt_off();", "n->refs--;", "node_release(n);", "preempt_on();"));
      w.blank();
      w.comment("Cut (or extend with zeros) file n to size bytes. Bytes past a file's size are always zero, so growing writes nothing.");
      w.fn("static int64 truncate_locked(struct tnode *n, uint64 size)", () => {
        w.line(`if (n->dir)
    return -EISDIR;
if (size > TMPFS_FILE_PAGES * PGSIZE)
    return -EFBIG;
if (size < n->size) {
    drop_pages(n, (size + PGSIZE - 1) / PGSIZE);
    uint64 cut = size % PGSIZE;
    if (cut != 0 && n->pages != NULL && n->pages[size / PGSIZE] != NULL)
        memset(n->pages[size / PGSIZE] + cut, 0, PGSIZE - cut);
}
n->size = size;
return 0;`);
      });
      w.blank();
      w.fn("int64 tmpfs_truncate(struct tnode *n, uint64 size)", () => {
        w.line("preempt_off();", "int64 err = truncate_locked(n, size);", "preempt_on();", "return err;");
      });
      w.blank();
      w.comment(
        "Open path with Linux's flags: O_CREAT (0100) makes a file, O_EXCL (0200)",
        "refuses one that exists, O_TRUNC (01000) empties it, O_DIRECTORY (0200000)",
        "wants a folder; a folder opened for writing is -EISDIR. 0 with *out held",
        "(tmpfs_put when done), or -errno.",
      );
      w.fn("int64 tmpfs_open(const char *path, uint64 flags, struct tnode **out)", () => {
        w.line(`struct tnode *n, *d;
const char *leaf;
uint64 len;
int write = (flags & 3) != 0;
preempt_off();
int64 err = walk(path, &n, &d, &leaf, &len);
if (err == 0 && n == NULL) {
    if (!(flags & 0100))
        err = -ENOENT;
    else if (flags & 0200000)
        err = -EINVAL;
    else if ((n = node_new(d, leaf, len, 0)) == NULL)
        err = -ENOSPC;
} else if (err == 0) {
    if ((flags & 0100) && (flags & 0200))
        err = -EEXIST;
    else if (n->dir && (write || (flags & 01000)))
        err = -EISDIR;
    else if (!n->dir && (flags & 0200000))
        err = -ENOTDIR;
    else if (!n->dir && (flags & 01000))
        err = truncate_locked(n, 0);
}
if (err == 0) {
    n->refs++;
    *out = n;
}
preempt_on();
return err;`);
      });
      w.blank();
      w.comment("Read up to len bytes of file n from off into buf. The count, 0 at or past the end, or -EISDIR.");
      w.fn("int64 tmpfs_read(struct tnode *n, uint64 off, uint8 *buf, uint64 len)", () => {
        w.line(`if (n->dir)
    return -EISDIR;
preempt_off();
uint64 done = 0;
if (off < n->size) {
    if (len > n->size - off)
        len = n->size - off;
    while (done < len) {
        uint64 at = off + done, k = PGSIZE - at % PGSIZE;
        if (k > len - done)
            k = len - done;
        uint8 *page = n->pages != NULL ? n->pages[at / PGSIZE] : NULL;
        if (page != NULL)
            memcpy(buf + done, page + at % PGSIZE, k);
        else
            memset(buf + done, 0, k);
        done += k;
    }
}
preempt_on();
return (int64)done;`);
      });
      w.blank();
      w.comment(
        "Write len bytes of buf into file n at *off (append: at its end), taking",
        "pages as needed; *off moves past them. The count (short when the pages",
        "run out part way), -ENOSPC when none was written for want of pages,",
        "-EFBIG at the largest size a file may have.",
      );
      w.fn("int64 tmpfs_write(struct tnode *n, uint64 *off, const uint8 *buf, uint64 len, int append)", () => {
        w.line(`const uint64 max = TMPFS_FILE_PAGES * PGSIZE;
int64 err = 0;
uint64 done = 0;
if (n->dir)
    return -EISDIR;
preempt_off();
uint64 start = append ? n->size : *off;
if (start >= max)
    err = len > 0 ? -EFBIG : 0;
else if (len > max - start)
    len = max - start;
if (err == 0 && len > 0 && n->pages == NULL) {
    if ((n->pages = page_alloc(0)) == NULL)
        err = -ENOSPC;
    else
        memset(n->pages, 0, PGSIZE);
}
while (err == 0 && done < len) {
    uint64 at = start + done, k = PGSIZE - at % PGSIZE;
    if (k > len - done)
        k = len - done;
    uint8 **page = &n->pages[at / PGSIZE];
    if (*page == NULL) {
        if (used_pages >= EXO_TMPFS_MAX_PAGES || (*page = page_alloc(0)) == NULL)
            break;
        memset(*page, 0, PGSIZE);
        used_pages++;
    }
    memcpy(*page + at % PGSIZE, buf + done, k);
    done += k;
}
if (done > 0 && start + done > n->size)
    n->size = start + done;
*off = start + done;
preempt_on();
if (err != 0)
    return err;
return done > 0 || len == 0 ? (int64)done : -ENOSPC;`);
      });
      w.blank();
      w.comment("A new folder at path: 0, -EEXIST, -ENOENT (its parent missing), -ENOTDIR or -ENOSPC.");
      w.fn("int64 tmpfs_mkdir(const char *path)", () => {
        w.line(`struct tnode *n, *d;
const char *leaf;
uint64 len;
preempt_off();
int64 err = walk(path, &n, &d, &leaf, &len);
if (err == 0 && n != NULL)
    err = -EEXIST;
else if (err == 0 && node_new(d, leaf, len, 1) == NULL)
    err = -ENOSPC;
preempt_on();
return err;`);
      });
      w.blank();
      w.comment(
        "unlink (dir 0) or rmdir (dir 1) path: out of its folder at once, freed",
        "when no descriptor holds it. A folder to unlink is -EISDIR, a file to",
        "rmdir -ENOTDIR, a mount's root -EBUSY, a folder with entries -ENOTEMPTY.",
      );
      w.fn("int64 tmpfs_remove(const char *path, int dir)", () => {
        w.line(`struct tnode *n, *d;
const char *leaf;
uint64 len;
preempt_off();
int64 err = walk(path, &n, &d, &leaf, &len);
if (err == 0 && n == NULL)
    err = -ENOENT;
else if (err == 0 && dir && !n->dir)
    err = -ENOTDIR;
else if (err == 0 && !dir && n->dir)
    err = -EISDIR;
else if (err == 0 && n->parent == NULL)
    err = -EBUSY;
else if (err == 0 && n->child != NULL)
    err = -ENOTEMPTY;
if (err == 0) {
    link_out(n);
    node_release(n);
}
preempt_on();
return err;`);
      });
      w.blank();
      w.comment(
        "rename from to to, both in one mount (the caller checks): a file or an",
        "empty folder at to is replaced by one of the same kind. A folder into",
        "itself is -EINVAL, a root -EBUSY.",
      );
      w.fn("int64 tmpfs_rename(const char *from, const char *to)", () => {
        w.line(`struct tnode *s, *sd, *t, *td;
const char *leaf;
uint64 len;
char *name = NULL;
preempt_off();
int64 err = walk(from, &s, &sd, &leaf, &len);
if (err == 0 && s == NULL)
    err = -ENOENT;
if (err == 0)
    err = walk(to, &t, &td, &leaf, &len);
if (err == 0 && (s->parent == NULL || (t != NULL && t->parent == NULL)))
    err = -EBUSY;
if (err == 0 && t == s)
    goto out;
for (struct tnode *up = td; err == 0 && up != NULL; up = up->parent)
    if (up == s)
        err = -EINVAL;
if (err == 0 && t != NULL)
    err = s->dir && !t->dir ? -ENOTDIR : !s->dir && t->dir ? -EISDIR : t->child != NULL ? -ENOTEMPTY : 0;
if (err == 0 && t == NULL && td != s->parent && td->size >= TMPFS_DIR_MAX)
    err = -ENOSPC;
if (err == 0 && (name = kmalloc(len + 1)) == NULL)
    err = -ENOMEM;
if (err == 0) {
    memcpy(name, leaf, len);
    name[len] = 0;
    if (t != NULL) {
        link_out(t);
        node_release(t);
    }
    link_out(s);
    kfree((void *)s->name);
    s->name = name;
    link_in(td, s);
}
out:
preempt_on();
return err;`);
      });
      w.blank();
      w.comment("Size, st_mode and inode number of n: a folder 0755 (its size as Linux's tmpfs counts it), a file 0644.");
      w.fn("void tmpfs_node_stat(struct tnode *n, uint64 *size, uint32 *mode, uint64 *ino)", () => {
        w.line(`*size = n->dir ? (n->size + 2) * 20 : n->size;
*mode = n->dir ? 0040755 : 0100644;
*ino = n->ino;`);
      });
      w.blank();
      w.comment("stat of path: 0 or -errno.");
      w.fn("int64 tmpfs_stat(const char *path, uint64 *size, uint32 *mode)", () => {
        w.line(`struct tnode *n, *d;
const char *leaf;
uint64 len, ino;
preempt_off();
int64 err = walk(path, &n, &d, &leaf, &len);
if (err == 0 && n == NULL)
    err = -ENOENT;
if (err == 0)
    tmpfs_node_stat(n, size, mode, &ino);
preempt_on();
return err;`);
      });
      w.blank();
      w.comment("The size of file n now (O_APPEND, SEEK_END).");
      w.fn("uint64 tmpfs_size(struct tnode *n)", () => w.line("return n->size;"));
      w.blank();
      w.comment("Whether n is a folder.");
      w.fn("int tmpfs_is_dir(struct tnode *n)", () => w.line("return n->dir;"));
      w.blank();
      w.comment("The entry of folder d after ino *cookie: its name into out, its d_type (4 folder, 8 file); 1, or 0 at the end.");
      w.fn("int tmpfs_dir_next(struct tnode *d, uint64 *cookie, char out[256], int *type)", () => {
        w.line(`int found = 0;
preempt_off();
for (struct tnode *c = d->child; c != NULL && !found; c = c->next) {
    if (c->ino > *cookie) {
        uint64 n = strlen(c->name);
        memcpy(out, c->name, n + 1);
        *type = c->dir ? 4 : 8;
        *cookie = c->ino;
        found = 1;
    }
}
preempt_on();
return found;`);
      });
      w.blank();
      w.comment("The path of n (normal form) into out (room bytes): its length, or -1 when it is no longer in a folder or out is too small.");
      w.fn("int64 tmpfs_path(struct tnode *n, char *out, uint64 room)", () => {
        w.line(`uint64 len = 0;
int64 r = -1;
preempt_off();
for (struct tnode *m = n; m != NULL; m = m->parent) {
    if (!m->linked)
        goto out;
    len += strlen(m->name) + (m != n);
}
if (len + 1 > room)
    goto out;
out[len] = 0;
uint64 end = len;
for (struct tnode *m = n; m != NULL; m = m->parent) {
    uint64 k = strlen(m->name);
    if (m != n)
        out[--end] = '/';
    end -= k;
    memcpy(out + end, m->name, k);
}
r = (int64)len;
out:
preempt_on();
return r;`);
      });
    });
  },
};
