// core/file.c: a process's descriptors and the file syscalls over them: files
// of the initrd (read-only, read in place), the tmpfs mounts (core/tmpfs.c,
// writable), the console, /dev/null and pipes. Descriptors 0-2 start as the
// console; new ones take the lowest free number. Relative paths start at the
// process's working directory, kept beside its descriptors.
import { emit, type Template } from "../template.ts";

const source = "core/file.ts";

export const file: Template = {
  source,
  render() {
    const summary = "A process's descriptors and working directory; open, read, write, stat, list, create, unlink, rename over the initrd, the tmpfs mounts, the devices and pipes.";
    return emit({ source, path: "core/file.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "arch.h"', '#include "errno.h"', '#include "memlayout.h"', '#include "policy.h"', '#include "ufile.h"', '#include "thread.h"', '#include "process.h"', '#include "defs.h"');
      w.blank();
      w.line(
        "#define O_ACCMODE 3",
        "#define O_RDONLY 0",
        "#define O_WRONLY 1",
        "#define O_CREAT 0100",
        "#define O_TRUNC 01000",
        "#define O_APPEND 02000",
        "#define O_NONBLOCK 04000",
        "#define O_DIRECTORY 0200000",
        "#define O_CLOEXEC 02000000",
        "#define AT_FDCWD (-100)",
        "#define AT_REMOVEDIR 0x200",
        "#define SEEK_SET 0",
        "#define SEEK_CUR 1",
        "#define SEEK_END 2",
      );
      w.line("#define POLLIN 0x1", "#define POLLOUT 0x4", "#define POLLERR 0x8", "#define POLLHUP 0x10", "#define POLLNVAL 0x20");
      w.line("#define S_IFREG 0100000", "#define S_IFCHR 0020000", "#define S_IFDIR 0040000", "#define S_IFIFO 0010000");
      w.line("#define PATH_LEN 512 /* a path, after the working directory is put before it */");
      w.line("#define DIR_MOUNTS (1UL << 62) /* getdents64 offsets from here: the names the tmpfs mounts add to an initrd folder */");
      w.blank();
      w.comment(
        "What file_table_alloc hands out: one page, the descriptors first (a",
        "process holds a pointer to them) and its working directory after them.",
      );
      w.line("struct file_table {", "    struct ufile files[UPROC_FILES];", "    char cwd[PATH_LEN]; /* normal form; \"\" is the root */", "};");
      w.line('_Static_assert(sizeof(struct file_table) <= PGSIZE, "a descriptor table is one page");');
      w.blank();
      w.comment("The pipes of every process; a pipe is free when neither end is open.");
      w.line("static struct upipe pipes[PIPE_MAX];");
      w.blank();
      w.comment(
        "The working directory of table t, or NULL for a table initialised in place",
        "(file_table_init on the process record's own array, never page-aligned):",
        "that has no room for one, and its process works at the root.",
      );
      w.fn("static char *table_cwd(const struct ufile *t)", () => {
        w.line("return ((uint64)t & (PGSIZE - 1)) == 0 ? ((struct file_table *)t)->cwd : NULL;");
      });
      w.blank();
      w.fn("static const char *cwd(void)", () => w.line("const char *c = table_cwd(uproc_files());", 'return c != NULL ? c : "";'));
      w.blank();
      w.comment("The descriptor fd of the current process, or NULL when it is not open.");
      w.fn("struct ufile *fd_file(uint64 fd)", () => {
        w.line("if (fd >= UPROC_FILES)").indent(() => w.line("return NULL;"));
        w.line("struct ufile *f = &uproc_files()[fd];", "return f->kind != UF_NONE ? f : NULL;");
      });
      w.blank();
      w.comment("The lowest free descriptor from min up, or -EMFILE.");
      w.fn("int64 fd_alloc(uint64 min)", () => {
        w.line(`struct ufile *table = uproc_files();
for (uint64 i = min; i < UPROC_FILES; i++)
    if (table[i].kind == UF_NONE)
        return (int64)i;
return -EMFILE;`);
      });
      w.blank();
      w.comment(
        "Put a copy of *src in the free entry f: a pipe end counts one more holder,",
        "a tmpfs node one more reference, a folder of the initrd gets its own copy",
        "of its path (src->data, NUL-terminated). Descriptor flags (cloexec) are",
        "not copied. 0, or -ENOMEM.",
      );
      w.fn("static int64 entry_install(struct ufile *f, const struct ufile *src)", () => {
        w.line(`char *path = NULL;
if (src->kind == UF_DIR) {
    uint64 n = strlen((const char *)src->data) + 1;
    if ((path = kmalloc(n)) == NULL)
        return -ENOMEM;
    memcpy(path, src->data, n);
}
preempt_off();
*f = *src;
f->cloexec = 0;
if (f->kind == UF_PIPE_READ)
    f->pipe->readers++;
else if (f->kind == UF_PIPE_WRITE)
    f->pipe->writers++;
else if (f->kind == UF_DIR)
    f->data = (const uint8 *)path;
else if (f->kind == UF_TMPFILE || f->kind == UF_TMPDIR)
    tmpfs_hold(f->node);
preempt_on();
return 0;`);
      });
      w.blank();
      w.comment("Put a copy of *src at the current process's descriptor fd (free), as entry_install.");
      w.fn("int64 fd_install(uint64 fd, const struct ufile *src)", () => w.line("return entry_install(&uproc_files()[fd], src);"));
      w.blank();
      w.comment("Free entry f: a pipe end counts one holder less, a tmpfs node one reference less, a folder's path goes back.");
      w.fn("static void fd_release(struct ufile *f)", () => {
        w.line(`struct tnode *node = f->kind == UF_TMPFILE || f->kind == UF_TMPDIR ? f->node : NULL;
preempt_off();
if (f->kind == UF_PIPE_READ)
    f->pipe->readers--;
else if (f->kind == UF_PIPE_WRITE)
    f->pipe->writers--;
else if (f->kind == UF_DIR)
    kfree((void *)f->data);
memset(f, 0, sizeof *f);
preempt_on();
if (node != NULL)
    tmpfs_put(node);`);
      });
      w.blank();
      w.comment("A new process's table: 0, 1 and 2 are the console.");
      w.fn("void file_table_init(struct ufile *table)", () => {
        w.line(`memset(table, 0, UPROC_FILES * sizeof *table);
for (int i = 0; i < FD_FIRST; i++) {
    table[i].kind = UF_CONSOLE;
    table[i].open = 1;
    table[i].flags = 2; /* O_RDWR */
}`);
      });
      w.blank();
      w.comment("A new descriptor table (a page: 0-2 the console, the root the working directory), or NULL when memory is out.");
      w.fn("struct ufile *file_table_alloc(void)", () => {
        w.line(`struct file_table *t = page_alloc(0);
if (t == NULL)
    return NULL;
memset(t, 0, sizeof *t);
file_table_init(t->files);
return t->files;`);
      });
      w.blank();
      w.comment("Close every descriptor of t (from file_table_alloc) and free it.");
      w.fn("void file_table_free(struct ufile *t)", () => {
        w.line(`for (int i = 0; i < UPROC_FILES; i++)
    if (t[i].kind != UF_NONE)
        fd_release(&t[i]);
page_free(t, 0);`);
      });
      w.blank();
      w.comment(
        "For fork: dst (a fresh table) becomes a copy of src, every descriptor with",
        "its FD_CLOEXEC and one more holder of what it names; the working",
        "directory too. 0, or -ENOMEM with dst emptied.",
      );
      w.fn("int file_table_copy(struct ufile *dst, const struct ufile *src)", () => {
        w.line(`for (int i = 0; i < UPROC_FILES; i++)
    if (dst[i].kind != UF_NONE)
        fd_release(&dst[i]);
for (int i = 0; i < UPROC_FILES; i++) {
    if (src[i].kind == UF_NONE)
        continue;
    if (entry_install(&dst[i], &src[i]) != 0) {
        for (int j = 0; j < i; j++)
            if (dst[j].kind != UF_NONE)
                fd_release(&dst[j]);
        return -ENOMEM;
    }
    dst[i].cloexec = src[i].cloexec;
}
char *to = table_cwd(dst), *from = table_cwd(src);
if (to != NULL)
    memcpy(to, from != NULL ? from : "", from != NULL ? strlen(from) + 1 : 1);
return 0;`);
      });
      w.blank();
      w.comment("For execve: close the descriptors marked FD_CLOEXEC; the others and the working directory stay.");
      w.fn("void file_table_exec(struct ufile *t)", () => {
        w.line(`for (int i = 0; i < UPROC_FILES; i++)
    if (t[i].kind != UF_NONE && t[i].cloexec)
        fd_release(&t[i]);`);
      });
      w.blank();
      w.comment("At exit: every descriptor closed, so that the other end of a pipe sees EOF or EPIPE.");
      w.fn("void file_close_all(void)", () => {
        w.line("struct ufile *table = uproc_files();", "for (int i = 0; i < UPROC_FILES; i++)").indent(() => w.line("if (table[i].kind != UF_NONE)").indent(() => w.line("fd_release(&table[i]);")));
      });
      w.blank();
      w.comment(
        "The path at user address va in core/path.c's normal form, into out",
        "(PATH_LEN): from the root when it starts with '/', else from dirfd's folder",
        "(AT_FDCWD: the working directory). 0, or -errno (\"\" is -ENOENT, and so is",
        "a \"..\" above the root).",
      );
      w.fn("static int64 user_path(int64 dirfd, uint64 va, char *out)", () => {
        w.line(`char raw[PATH_LEN], base[PATH_LEN];
const char *dir = "";
int64 n = uvm_copy_str(raw, va, sizeof raw);
if (n < 0)
    return n == -1 ? -EFAULT : -ENAMETOOLONG;
if (raw[0] == 0)
    return -ENOENT;
if (raw[0] != '/' && (int)dirfd == AT_FDCWD) { /* an int: glibc leaves the upper half zero */
    dir = cwd();
} else if (raw[0] != '/') {
    struct ufile *f = (int)dirfd < 0 ? NULL : fd_file((uint64)(int)dirfd);
    if (f == NULL)
        return -EBADF;
    if (f->kind == UF_DIR)
        dir = (const char *)f->data;
    else if (f->kind != UF_TMPDIR)
        return -ENOTDIR;
    else if (tmpfs_path(f->node, base, sizeof base) < 0)
        return -ENOENT; /* a folder removed since */
    else
        dir = base;
}
return path_clean(out, PATH_LEN, dir, raw) < 0 ? -ENOENT : 0;`);
      });
      w.blank();
      w.comment("The device a normalised path names: UF_NULL, UF_CONSOLE, or UF_NONE.");
      w.fn("static int device_of(const char *path)", () => {
        w.line('return memcmp(path, "dev/null", 9) == 0 ? UF_NULL : memcmp(path, "dev/console", 12) == 0 ? UF_CONSOLE : UF_NONE;');
      });
      w.blank();
      w.comment(
        "What a normalised path outside the tmpfs mounts names: UF_FILE (a file of",
        "the initrd; *data and *len set), UF_DIR (a folder of it, or one the mounts",
        "imply, as var for /var/scratch), or UF_NONE.",
      );
      w.fn("static int initrd_kind(const char *path, const uint8 **data, uint64 *len)", () => {
        w.line(`if (initrd_lookup(path, data, len))
    return UF_FILE;
return initrd_is_dir(path) || tmpfs_implies_dir(path) ? UF_DIR : UF_NONE;`);
      });
      w.blank();
      w.comment("Whether a normalised path outside the tmpfs mounts names something: a device, or a file or folder of the initrd.");
      w.fn("static int fixed_exists(const char *path)", () => {
        w.line(`const uint8 *data;
uint64 len;
return device_of(path) != UF_NONE || initrd_kind(path, &data, &len) != UF_NONE;`);
      });
      w.blank();
      w.comment(
        "May the current process change path (create, write, truncate, unlink,",
        "mkdir, rename)? The sandbox decides first (fs.write and a package's write",
        "paths; a denial printed once); outside the tmpfs mounts it is -EROFS.",
      );
      w.fn("static int64 may_change(const char *path)", () => {
        w.line(`int64 err = sandbox_open(path, 1);
if (err != 0)
    return err;
return tmpfs_owns(path) ? 0 : -EROFS;`);
      });
      w.blank();
      w.comment("pipe(fds): a free pipe with a read end at fds[0] and a write end at fds[1]; flags may hold O_CLOEXEC and O_NONBLOCK.");
      w.fn("int64 file_pipe(uint64 fds_va, uint64 flags)", () => {
        w.line(`if (!uvm_check(fds_va, 8, 1))
    return -EFAULT;
if ((flags & ~(uint64)(O_CLOEXEC | O_NONBLOCK)) != 0)
    return -EINVAL;
int64 r = fd_alloc(0), wfd;
if (r < 0)
    return r;
uproc_files()[r].kind = UF_NULL; /* held while the second is found */
wfd = fd_alloc(0);
uproc_files()[r].kind = UF_NONE;
if (wfd < 0)
    return wfd;
struct upipe *p = NULL;
preempt_off();
for (int i = 0; i < PIPE_MAX && p == NULL; i++)
    if (pipes[i].readers == 0 && pipes[i].writers == 0)
        p = &pipes[i];
if (p != NULL) {
    p->head = p->tail = 0;
    p->readers = p->writers = 0;
}
preempt_on();
if (p == NULL)
    return -ENFILE;
struct ufile end = { .kind = UF_PIPE_READ, .open = 1, .flags = flags & O_NONBLOCK, .pipe = p };
fd_install((uint64)r, &end);
end.kind = UF_PIPE_WRITE;
end.flags |= O_WRONLY;
fd_install((uint64)wfd, &end);
uproc_files()[r].cloexec = uproc_files()[wfd].cloexec = (flags & O_CLOEXEC) != 0;
int *fds = (int *)fds_va;
fds[0] = (int)r;
fds[1] = (int)wfd;
return 0;`);
      });
      w.blank();
      w.comment("dup3(old, new, flags): new closed first if open; old == new is -EINVAL (dup2 checks that case itself).");
      w.fn("int64 file_dup3(uint64 oldfd, uint64 newfd, uint64 flags)", () => {
        w.line(`struct ufile *f = fd_file(oldfd);
if (f == NULL || newfd >= UPROC_FILES)
    return -EBADF;
if (oldfd == newfd || (flags & ~(uint64)O_CLOEXEC) != 0)
    return -EINVAL;
struct ufile copy = *f;
struct ufile *g = &uproc_files()[newfd];
if (g->kind != UF_NONE)
    fd_release(g);
int64 err = fd_install(newfd, &copy);
if (err != 0)
    return err;
g->cloexec = (flags & O_CLOEXEC) != 0;
return (int64)newfd;`);
      });
      w.blank();
      w.comment("dup(old) at the lowest free descriptor from min up (F_DUPFD); cloexec sets FD_CLOEXEC on it.");
      w.fn("int64 file_dup_from(uint64 oldfd, uint64 min, int cloexec)", () => {
        w.line(`struct ufile *f = fd_file(oldfd);
if (f == NULL)
    return -EBADF;
if (min >= UPROC_FILES)
    return -EINVAL;
int64 fd = fd_alloc(min);
if (fd < 0)
    return fd;
struct ufile copy = *f;
int64 err = fd_install((uint64)fd, &copy);
if (err != 0)
    return err;
uproc_files()[fd].cloexec = cloexec;
return fd;`);
      });
      w.blank();
      w.comment(
        "openat(dirfd, path, flags); open is openat(AT_FDCWD, ...), and Exo's open",
        "too (a leading slash optional: from the root, the working directory of an",
        "Exo process). /dev/null and /dev/console are devices, outside the",
        "sandbox's paths (writing to the console still needs its capability). For",
        "anything else the sandbox decides first (core/sandbox.c: fs.read to read,",
        "fs.write to write or create, a package's paths). In a tmpfs mount a file is",
        "created (O_CREAT), emptied (O_TRUNC) and written; the initrd is read-only,",
        "so an allowed open for writing there is -EROFS.",
      );
      w.fn("int64 file_openat(int64 dirfd, uint64 path_va, uint64 flags)", () => {
        w.line(`char path[PATH_LEN];
const uint8 *data = NULL;
uint64 len = 0;
int64 err = user_path(dirfd, path_va, path);
if (err != 0)
    return err;
int write = (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC)) != 0;
struct ufile f = { .kind = device_of(path), .open = 1, .flags = flags & (O_ACCMODE | O_NONBLOCK | O_APPEND) };
if (f.kind == UF_NONE) {
    if ((err = sandbox_open(path, write)) != 0)
        return err;
    if (tmpfs_owns(path)) {
        int64 fd = fd_alloc(0); /* before a file is made, so that -EMFILE makes none */
        if (fd < 0)
            return fd;
        if ((err = tmpfs_open(path, flags, &f.node)) != 0)
            return err;
        f.kind = tmpfs_is_dir(f.node) ? UF_TMPDIR : UF_TMPFILE;
        err = fd_install((uint64)fd, &f); /* takes its own reference */
        tmpfs_put(f.node);
        if (err != 0)
            return err;
        uproc_files()[fd].cloexec = (flags & O_CLOEXEC) != 0;
        return fd;
    }
    f.kind = initrd_kind(path, &data, &len);
    if (f.kind == UF_NONE)
        return write ? -EROFS : -ENOENT;
    if (write)
        return f.kind == UF_DIR ? -EISDIR : -EROFS;
    if ((flags & O_DIRECTORY) && f.kind != UF_DIR)
        return -ENOTDIR;
}
int64 fd = fd_alloc(0);
if (fd < 0)
    return fd;
if (f.kind == UF_FILE) {
    f.data = data;
    f.size = len;
} else if (f.kind == UF_DIR) {
    f.data = (const uint8 *)path; /* fd_install copies it */
}
if ((err = fd_install((uint64)fd, &f)) != 0)
    return err;
uproc_files()[fd].cloexec = (flags & O_CLOEXEC) != 0;
return fd;`);
      });
      w.blank();
      w.fn("int64 file_open(uint64 path_va, uint64 flags)", () => w.line("return file_openat(AT_FDCWD, path_va, flags);"));
      w.blank();
      w.comment("Write one struct linux_dirent64 { uint64 ino; int64 off; uint16 reclen; uint8 type; char name[]; } at d, 8-byte aligned: its length, or 0 when room is too small.");
      w.fn("static uint64 put_dirent(uint8 *d, uint64 room, uint64 next, int type, const char *name)", () => {
        w.line(`uint64 n = strlen(name), reclen = (19 + n + 1 + 7) & ~7UL;
if (reclen > room)
    return 0;
memset(d, 0, reclen);
*(uint64 *)d = next;         /* d_ino: any non-zero number */
*(int64 *)(d + 8) = (int64)next;
*(uint16 *)(d + 16) = (uint16)reclen;
d[18] = (uint8)type;
memcpy(d + 19, name, n + 1);
return reclen;`);
      });
      w.blank();
      w.comment(
        "getdents64(fd, buf, len): the next entries of a folder: \".\" and \"..\"",
        "first (f->off 0 and 1), then a tmpfs folder's entries (f->off 2 + the last",
        "ino given), or an initrd folder's (2 + the archive offset to look from)",
        "followed by the names the tmpfs mounts add to it (DIR_MOUNTS + a mount",
        "index), those the initrd already named left out.",
      );
      w.fn("int64 file_getdents64(uint64 fd, uint64 buf, uint64 len)", () => {
        w.line(`struct ufile *f = fd_file(fd);
char name[256], child[PATH_LEN];
if (f == NULL)
    return -EBADF;
if (f->kind != UF_DIR && f->kind != UF_TMPDIR)
    return -ENOTDIR;
if (!uvm_check(buf, len > 0 ? len : 1, 1))
    return -EFAULT;
const char *dir = f->kind == UF_DIR ? (const char *)f->data : "";
uint64 done = 0;
for (;;) {
    uint64 next, cookie;
    int type = 4;
    if (f->off < 2) {
        name[0] = name[1] = '.';
        name[f->off + 1] = 0;
        next = f->off + 1;
    } else if (f->kind == UF_TMPDIR) {
        cookie = f->off - 2;
        if (!tmpfs_dir_next(f->node, &cookie, name, &type))
            break;
        next = cookie + 2;
    } else if (f->off < DIR_MOUNTS) {
        cookie = f->off - 2;
        if (!initrd_dir_next(dir, &cookie, name, &type)) {
            f->off = DIR_MOUNTS;
            continue;
        }
        next = cookie + 2;
    } else {
        const uint8 *data;
        uint64 size;
        cookie = f->off - DIR_MOUNTS;
        if (!tmpfs_mount_next(dir, &cookie, name))
            break;
        next = cookie + DIR_MOUNTS;
        if (path_clean(child, sizeof child, dir, name) < 0 || initrd_lookup(child, &data, &size) || initrd_is_dir(child)) {
            f->off = next; /* the initrd named it already */
            continue;
        }
    }
    uint64 reclen = put_dirent((uint8 *)buf + done, len - done, next, type, name);
    if (reclen == 0) {
        if (done == 0)
            return -EINVAL; /* the buffer holds not even one */
        break;
    }
    done += reclen;
    f->off = next;
}
return (int64)done;`);
      });
      w.blank();
      w.comment("readlink(path, buf, len): the target of a symlink of the initrd (not NUL-terminated, cut at len), if the sandbox lets the process read path; -EINVAL when it is no symlink.");
      w.fn("int64 file_readlink(uint64 path_va, uint64 buf, uint64 len)", () => {
        w.line(`char path[PATH_LEN];
int64 err = user_path(AT_FDCWD, path_va, path);
if (err != 0)
    return err;
if ((int64)len <= 0)
    return -EINVAL;
if (!uvm_check(buf, len, 1))
    return -EFAULT;
if ((err = sandbox_open(path, 0)) != 0)
    return err;
if (tmpfs_owns(path))
    return -EINVAL; /* a tmpfs holds no symlinks */
int64 n = initrd_readlink(path, (char *)buf, len);
return n == -1 ? (initrd_is_dir(path) ? -EINVAL : -ENOENT) : n == -2 ? -EINVAL : n;`);
      });
      w.blank();
      w.comment("Size, st_mode and device number (st_rdev) of the open descriptor f.");
      w.fn("static void ufile_stat(const struct ufile *f, uint64 *size, uint32 *mode, uint64 *rdev)", () => {
        w.line(`uint64 ino;
*size = 0;
*rdev = 0;
if (f->kind == UF_FILE) {
    *size = f->size;
    *mode = S_IFREG | 0444;
} else if (f->kind == UF_DIR) {
    *mode = S_IFDIR | 0555;
} else if (f->kind == UF_TMPFILE || f->kind == UF_TMPDIR) {
    tmpfs_node_stat(f->node, size, mode, &ino);
} else if (f->kind == UF_PIPE_READ || f->kind == UF_PIPE_WRITE) {
    *mode = S_IFIFO | 0600;
} else {
    *mode = S_IFCHR | 0666;
    *rdev = f->kind == UF_CONSOLE ? (5 << 8) | 1 : (1 << 8) | 3; /* /dev/console (5, 1), /dev/null (1, 3) */
}`);
      });
      w.blank();
      w.comment("fstat for the Linux ABI: size, st_mode and st_rdev of descriptor fd.");
      w.fn("int64 file_fd_stat(uint64 fd, uint64 *size, uint32 *mode, uint64 *rdev)", () => {
        w.line(`struct ufile *f = fd_file(fd);
if (f == NULL)
    return -EBADF;
ufile_stat(f, size, mode, rdev);
return 0;`);
      });
      w.blank();
      w.comment(
        "stat by path (from dirfd, as openat): size and st_mode, if the sandbox lets",
        "the process read it (the devices need nothing). 0 or -errno.",
      );
      w.fn("int64 file_stat_at(int64 dirfd, uint64 path_va, uint64 *size, uint32 *mode)", () => {
        w.line(`char path[PATH_LEN];
const uint8 *data;
int64 err = user_path(dirfd, path_va, path);
if (err != 0)
    return err;
*size = 0;
if (device_of(path) != UF_NONE) {
    *mode = S_IFCHR | 0666;
    return 0;
}
if ((err = sandbox_open(path, 0)) != 0)
    return err;
if (tmpfs_owns(path))
    return tmpfs_stat(path, size, mode);
int kind = initrd_kind(path, &data, size);
*mode = kind == UF_FILE ? S_IFREG | 0444 : S_IFDIR | 0555;
if (kind == UF_DIR)
    *size = 0;
return kind != UF_NONE ? 0 : -ENOENT;`);
      });
      w.blank();
      w.comment("stat by path, its size only (kept for callers that want no mode).");
      w.fn("int64 file_stat_path(uint64 path_va, uint64 *size)", () => {
        w.line("uint32 mode;", "return file_stat_at(AT_FDCWD, path_va, size, &mode);");
      });
      w.blank();
      w.fn("int64 file_close(uint64 fd)", () => {
        w.line("struct ufile *f = fd_file(fd);", "if (f == NULL)").indent(() => w.line("return -EBADF;"));
        w.line("fd_release(f);", "return 0;");
      });
      w.blank();
      w.comment("Read up to len bytes at off of a file of the initrd or a tmpfs (checked: buf is writable user memory).");
      w.fn("static int64 read_at(const struct ufile *f, uint64 buf, uint64 len, uint64 off)", () => {
        w.line(`if (f->kind == UF_TMPFILE)
    return tmpfs_read(f->node, off, (uint8 *)buf, len);
uint64 n = off >= f->size ? 0 : f->size - off;
if (n > len)
    n = len;
memcpy((void *)buf, f->data + off, n);
return (int64)n;`);
      });
      w.blank();
      w.comment("read(fd, buf, len): the console has no input yet and /dev/null none (end of file); an empty pipe waits for a writer while one is open.");
      w.fn("int64 file_read(uint64 fd, uint64 buf, uint64 len)", () => {
        w.line(`struct ufile *f = fd_file(fd);
if (f == NULL || (f->flags & O_ACCMODE) == O_WRONLY)
    return -EBADF;
if (f->kind == UF_DIR || f->kind == UF_TMPDIR)
    return -EISDIR;
if (!uvm_check(buf, len > 0 ? len : 1, 1))
    return -EFAULT;
if (f->kind == UF_CONSOLE || f->kind == UF_NULL || len == 0)
    return 0;
if (f->kind == UF_PIPE_READ) {
    struct upipe *p = f->pipe;
    while (p->head == p->tail && p->writers > 0) {
        if (f->flags & O_NONBLOCK)
            return -EAGAIN;
        if (signal_interrupts()) /* a handler runs first, as on Linux */
            return -EINTR;
        yield(), uproc_checkpoint(); /* a killed process stops waiting */
    }
    uint64 n = 0;
    preempt_off();
    for (; n < len && p->tail != p->head; n++, p->tail++)
        ((uint8 *)buf)[n] = p->buf[p->tail % PIPE_SIZE];
    preempt_on();
    return (int64)n;
}
if (f->kind != UF_FILE && f->kind != UF_TMPFILE)
    return -EBADF;
int64 n = read_at(f, buf, len, f->off);
if (n > 0)
    f->off += (uint64)n;
return n;`);
      });
      w.blank();
      w.comment(
        "write(fd, buf, len) for the Linux ABI: the console (one piece, so that lines",
        "of two processes do not interleave; it needs the console capability),",
        "/dev/null (swallowed), a tmpfs file (at the offset, or its end with",
        "O_APPEND), a pipe (waits for room; -EPIPE once no reader is left).",
      );
      w.fn("int64 file_write(uint64 fd, uint64 buf, uint64 len)", () => {
        w.line(`struct ufile *f = fd_file(fd);
const uint8 *s = (const uint8 *)buf;
if (f == NULL || (f->flags & O_ACCMODE) == O_RDONLY)
    return -EBADF;
if (!uvm_check(buf, len, 0))
    return -EFAULT;
if (f->kind == UF_NULL)
    return (int64)len;
if (f->kind == UF_CONSOLE) {
    if (!(uproc_caps() & CAP_CONSOLE)) {
        sandbox_deny(CAP_CONSOLE, "%s", "write");
        return -EPERM;
    }
    preempt_off();
    for (uint64 i = 0; i < len; i++)
        arch_console_putc((char)s[i]);
    preempt_on();
    return (int64)len;
}
if (f->kind == UF_TMPFILE)
    return tmpfs_write(f->node, &f->off, s, len, (f->flags & O_APPEND) != 0);
if (f->kind != UF_PIPE_WRITE)
    return -EBADF;
struct upipe *p = f->pipe;
uint64 done = 0;
while (done < len) {
    if (p->readers == 0) {
        if (done > 0)
            return (int64)done;
        if (((struct uproc *)curthread->proc)->lx != NULL)
            signal_send(curthread->proc, SIGPIPE); /* ends the writer unless it handles or ignores it */
        return -EPIPE;
    }
    preempt_off();
    for (; done < len && p->head - p->tail < PIPE_SIZE; done++, p->head++)
        p->buf[p->head % PIPE_SIZE] = s[done];
    preempt_on();
    if (done < len) {
        if (f->flags & O_NONBLOCK)
            return done > 0 ? (int64)done : -EAGAIN;
        if (signal_interrupts())
            return done > 0 ? (int64)done : -EINTR;
        yield(), uproc_checkpoint();
    }
}
return (int64)done;`);
      });
      w.blank();
      w.comment("pread64(fd, buf, len, off): a read at off that leaves the offset where it was; pipes are -ESPIPE.");
      w.fn("int64 file_pread(uint64 fd, uint64 buf, uint64 len, uint64 off)", () => {
        w.line(`struct ufile *f = fd_file(fd);
if (f == NULL || (f->flags & O_ACCMODE) == O_WRONLY)
    return -EBADF;
if (f->kind == UF_PIPE_READ || f->kind == UF_PIPE_WRITE)
    return -ESPIPE;
if (f->kind == UF_DIR || f->kind == UF_TMPDIR)
    return -EISDIR;
if ((int64)off < 0)
    return -EINVAL;
if (f->kind != UF_FILE && f->kind != UF_TMPFILE)
    return file_read(fd, buf, len); /* a device: no offset */
if (!uvm_check(buf, len > 0 ? len : 1, 1))
    return -EFAULT;
return read_at(f, buf, len, off);`);
      });
      w.blank();
      w.comment("pwrite64(fd, buf, len, off): a write at off (a tmpfs file; O_APPEND still appends, as Linux does) that leaves the offset where it was.");
      w.fn("int64 file_pwrite(uint64 fd, uint64 buf, uint64 len, uint64 off)", () => {
        w.line(`struct ufile *f = fd_file(fd);
if (f == NULL || (f->flags & O_ACCMODE) == O_RDONLY)
    return -EBADF;
if (f->kind == UF_PIPE_READ || f->kind == UF_PIPE_WRITE)
    return -ESPIPE;
if ((int64)off < 0)
    return -EINVAL;
if (f->kind != UF_TMPFILE)
    return file_write(fd, buf, len); /* a device: no offset */
if (!uvm_check(buf, len, 0))
    return -EFAULT;
return tmpfs_write(f->node, &off, (const uint8 *)buf, len, (f->flags & O_APPEND) != 0);`);
      });
      w.blank();
      w.comment("ftruncate(fd, size): a tmpfs file open for writing, cut or extended with zeros.");
      w.fn("int64 file_ftruncate(uint64 fd, uint64 size)", () => {
        w.line(`struct ufile *f = fd_file(fd);
if (f == NULL)
    return -EBADF;
if ((int64)size < 0 || f->kind != UF_TMPFILE || (f->flags & O_ACCMODE) == O_RDONLY)
    return -EINVAL;
return tmpfs_truncate(f->node, size);`);
      });
      w.blank();
      w.comment("fstat(fd, st) for Exo's ABI: st is { uint64 size; uint64 mode; }, mode a POSIX st_mode.");
      w.fn("int64 file_fstat(uint64 fd, uint64 st_va)", () => {
        w.line(`uint64 *st = (uint64 *)st_va, size, rdev;
uint32 mode;
struct ufile *f = fd_file(fd);
if (f == NULL)
    return -EBADF;
if (!uvm_check(st_va, 2 * sizeof(uint64), 1))
    return -EFAULT;
ufile_stat(f, &size, &mode, &rdev);
st[0] = size;
st[1] = mode;
return 0;`);
      });
      w.blank();
      w.comment("lseek(fd, offset, whence): past the end is allowed (reads there give 0 bytes), before the start is not. A folder only rewinds (offset 0, SEEK_SET).");
      w.fn("int64 file_lseek(uint64 fd, int64 offset, uint64 whence)", () => {
        w.line(`struct ufile *f = fd_file(fd);
if (f == NULL)
    return -EBADF;
if (f->kind == UF_PIPE_READ || f->kind == UF_PIPE_WRITE)
    return -ESPIPE;
if (f->kind == UF_DIR || f->kind == UF_TMPDIR) {
    if (whence != SEEK_SET || offset != 0)
        return -EINVAL;
    f->off = 0;
    return 0;
}
if (f->kind != UF_FILE && f->kind != UF_TMPFILE)
    return 0; /* a device: every offset is the start */
int64 end = (int64)(f->kind == UF_TMPFILE ? tmpfs_size(f->node) : f->size);
int64 base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64)f->off : whence == SEEK_END ? end : -1;
if (base < 0 || (offset < 0 && base + offset < 0))
    return -EINVAL;
f->off = (uint64)(base + offset);
return (int64)f->off;`);
      });
      w.blank();
      w.comment(
        "unlinkat(dirfd, path, flags): a tmpfs file out of its folder (still there",
        "for the descriptors open on it), or with AT_REMOVEDIR an empty folder.",
        "Outside the tmpfs mounts: -ENOENT, or -EROFS for what the initrd holds.",
      );
      w.fn("int64 file_unlinkat(int64 dirfd, uint64 path_va, uint64 flags)", () => {
        w.line(`char path[PATH_LEN];
int64 err = user_path(dirfd, path_va, path);
if (err != 0)
    return err;
if ((flags & ~(uint64)AT_REMOVEDIR) != 0)
    return -EINVAL;
if (!tmpfs_owns(path) && !fixed_exists(path))
    return -ENOENT;
if ((err = may_change(path)) != 0)
    return err;
return tmpfs_remove(path, (flags & AT_REMOVEDIR) != 0);`);
      });
      w.blank();
      w.comment("mkdirat(dirfd, path): a folder in a tmpfs mount. What exists already is -EEXIST wherever it is; a new name outside the mounts -EROFS.");
      w.fn("int64 file_mkdirat(int64 dirfd, uint64 path_va)", () => {
        w.line(`char path[PATH_LEN];
int64 err = user_path(dirfd, path_va, path);
if (err != 0)
    return err;
if (!tmpfs_owns(path) && fixed_exists(path))
    return -EEXIST;
if ((err = may_change(path)) != 0)
    return err;
return tmpfs_mkdir(path);`);
      });
      w.blank();
      w.comment("renameat(olddir, old, newdir, new): within one tmpfs mount (-EXDEV between two, or to or from the initrd).");
      w.fn("int64 file_renameat(int64 olddir, uint64 old_va, int64 newdir, uint64 new_va)", () => {
        w.line(`char from[PATH_LEN], to[PATH_LEN];
int64 err = user_path(olddir, old_va, from);
if (err == 0)
    err = user_path(newdir, new_va, to);
if (err == 0)
    err = may_change(from);
if (err == 0)
    err = may_change(to);
if (err == -EROFS && (tmpfs_owns(from) || tmpfs_owns(to)))
    return -EXDEV; /* one end in a tmpfs, the other in the initrd */
if (err != 0)
    return err;
if (!tmpfs_same_mount(from, to))
    return -EXDEV;
return tmpfs_rename(from, to);`);
      });
      w.blank();
      w.comment(
        "utimensat(dirfd, path): no file keeps times (all are 0), so this only",
        "answers as a change would: -ENOENT for nothing there, else may_change's",
        "answer (0 in a tmpfs the process may write). touch needs it.",
      );
      w.fn("int64 file_utimens(int64 dirfd, uint64 path_va)", () => {
        w.line(`char path[PATH_LEN];
uint64 size;
uint32 mode;
int64 err = user_path(dirfd, path_va, path);
if (err != 0)
    return err;
if (device_of(path) != UF_NONE)
    return 0;
if (tmpfs_owns(path) ? tmpfs_stat(path, &size, &mode) != 0 : !fixed_exists(path))
    return -ENOENT;
return may_change(path);`);
      });
      w.blank();
      w.comment(
        "faccessat(dirfd, path, mode): whether path exists (F_OK 0) and may be read",
        "(R_OK 4), written (W_OK 2: a tmpfs path the sandbox lets it change) or",
        "executed (X_OK 1: a folder or a file whose mode has an x bit); -EACCES or",
        "-EROFS when not.",
      );
      w.fn("int64 file_accessat(int64 dirfd, uint64 path_va, uint64 mode)", () => {
        w.line(`char path[PATH_LEN];
uint64 size;
uint32 st_mode;
int64 err = file_stat_at(dirfd, path_va, &size, &st_mode);
if (err != 0)
    return err;
if ((mode & ~(uint64)7) != 0)
    return -EINVAL;
if ((mode & 1) && (st_mode & 0111) == 0)
    return -EACCES;
if (mode & 2) {
    if ((err = user_path(dirfd, path_va, path)) != 0)
        return err;
    if (device_of(path) != UF_NONE)
        return 0;
    err = may_change(path);
    return err == -EPERM ? -EACCES : err;
}
return 0;`);
      });
      w.blank();
      w.comment("Make path (normalised) the working directory: it must be a folder. -ENOSYS for a table without room for one (see table_cwd).");
      w.fn("static int64 set_cwd(const char *path)", () => {
        w.line(`uint64 size;
uint32 mode;
const uint8 *data;
char *cwd_buf = table_cwd(uproc_files());
if (tmpfs_owns(path)) {
    int64 err = tmpfs_stat(path, &size, &mode);
    if (err != 0)
        return err;
    if ((mode & S_IFDIR) == 0)
        return -ENOTDIR;
} else {
    int kind = initrd_kind(path, &data, &size);
    if (kind != UF_DIR)
        return kind == UF_NONE ? -ENOENT : -ENOTDIR;
}
if (cwd_buf == NULL)
    return -ENOSYS;
memcpy(cwd_buf, path, strlen(path) + 1);
return 0;`);
      });
      w.blank();
      w.comment("chdir(path): relative paths start there from now on. No capability: a working directory opens nothing.");
      w.fn("int64 file_chdir(uint64 path_va)", () => {
        w.line(`char path[PATH_LEN];
int64 err = user_path(AT_FDCWD, path_va, path);
return err != 0 ? err : set_cwd(path);`);
      });
      w.blank();
      w.comment("fchdir(fd): the folder open at fd becomes the working directory.");
      w.fn("int64 file_fchdir(uint64 fd)", () => {
        w.line(`char path[PATH_LEN];
struct ufile *f = fd_file(fd);
if (f == NULL)
    return -EBADF;
if (f->kind == UF_DIR)
    return set_cwd((const char *)f->data);
if (f->kind != UF_TMPDIR)
    return -ENOTDIR;
if (tmpfs_path(f->node, path, sizeof path) < 0)
    return -ENOENT;
return set_cwd(path);`);
      });
      w.blank();
      w.comment("getcwd(buf, len): the working directory with a leading slash, NUL-terminated; its length with the NUL, or -ERANGE when len is too small.");
      w.fn("int64 file_getcwd(uint64 buf, uint64 len)", () => {
        w.line(`const char *c = cwd();
uint64 n = strlen(c) + 2;
if (len < n)
    return -ERANGE;
if (!uvm_check(buf, n, 1))
    return -EFAULT;
((char *)buf)[0] = '/';
memcpy((char *)buf + 1, c, n - 1);
return (int64)n;`);
      });
      w.blank();
      w.comment(
        "What descriptor fd is ready for, as poll's revents: a pipe's read end has",
        "data (POLLIN) or no writer left (POLLHUP), its write end room (POLLOUT) or",
        "no reader left (POLLERR); anything else never blocks (the console's read",
        "gives end of file at once). POLLNVAL for a descriptor not open.",
      );
      w.fn("static uint16 ready(int fd)", () => {
        w.line(`struct ufile *f = fd < 0 ? NULL : fd_file((uint64)fd);
if (f == NULL)
    return POLLNVAL;
if (f->kind == UF_PIPE_READ)
    return (f->pipe->head != f->pipe->tail ? POLLIN : 0) | (f->pipe->writers == 0 ? POLLHUP : 0);
if (f->kind == UF_PIPE_WRITE)
    return f->pipe->readers == 0 ? POLLERR : f->pipe->head - f->pipe->tail < PIPE_SIZE ? POLLOUT : 0;
return POLLIN | POLLOUT;`);
      });
      w.blank();
      w.comment(
        "poll(fds, n, timeout_us): struct pollfd { int fd; short events, revents; }[n];",
        "each revents is what its descriptor is ready for among events, plus",
        "POLLERR, POLLHUP and POLLNVAL always (a negative fd: nothing). Yields until",
        "one is ready or timeout_us passes (-1: no limit; 0: look once). The count of",
        "descriptors with revents set. busybox sh's read polls before each read.",
      );
      w.fn("int64 file_poll(uint64 fds_va, uint64 n, int64 timeout_us)", () => {
        w.line(`if (n > 1024)
    return -EINVAL;
if (n > 0 && !uvm_check(fds_va, n * 8, 1))
    return -EFAULT;
uint64 until = timeout_us > 0 ? arch_cycles() + (uint64)timeout_us * cycles_per_us : 0;
for (;;) {
    int64 count = 0;
    for (uint64 i = 0; i < n; i++) {
        uint8 *p = (uint8 *)fds_va + 8 * i;
        int fd = *(int *)p;
        uint16 events = *(uint16 *)(p + 4), revents = 0;
        if (fd >= 0)
            revents = ready(fd) & (events | POLLERR | POLLHUP | POLLNVAL);
        *(uint16 *)(p + 6) = revents;
        count += revents != 0;
    }
    if (count > 0 || timeout_us == 0 || (timeout_us > 0 && arch_cycles() >= until))
        return count;
    if (signal_interrupts())
        return -EINTR;
    yield(), uproc_checkpoint(); /* a killed process stops waiting */
}`);
      });
    });
  },
};
