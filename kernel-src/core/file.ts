// core/file.c: a process's descriptors and the file syscalls over them: files
// of the initrd (read-only, read in place), the console, /dev/null and pipes.
// Descriptors 0-2 start as the console; new ones take the lowest free number.
import { emit, type Template } from "../template.ts";

const source = "core/file.ts";

export const file: Template = {
  source,
  render() {
    const summary = "open, close, read, fstat and lseek on the files of the initrd, read-only and in place.";
    return emit({ source, path: "core/file.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "errno.h"', '#include "policy.h"', '#include "ufile.h"', '#include "defs.h"');
      w.blank();
      w.line("#define O_ACCMODE 3", "#define O_RDONLY 0", "#define O_CREAT 0100", "#define O_DIRECTORY 0200000", "#define SEEK_SET 0", "#define SEEK_CUR 1", "#define SEEK_END 2");
      w.line("#define S_IFREG 0100000", "#define S_IFCHR 0020000");
      w.blank();
      w.comment("The pipes of every process; a pipe is free when neither end is open.");
      w.line("static struct upipe pipes[PIPE_MAX];");
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
        "Put a copy of *src at descriptor fd (free): a pipe end counts one more",
        "holder, a folder gets its own copy of its path (src->data, NUL-terminated).",
        "Descriptor flags (cloexec) are not copied. 0, or -ENOMEM.",
      );
      w.fn("int64 fd_install(uint64 fd, const struct ufile *src)", () => {
        w.line(`struct ufile *f = &uproc_files()[fd];
char *path = NULL;
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
preempt_on();
return 0;`);
      });
      w.blank();
      w.comment("Free descriptor f: a pipe end counts one holder less, a folder's path goes back.");
      w.fn("static void fd_release(struct ufile *f)", () => {
        w.line(`preempt_off();
if (f->kind == UF_PIPE_READ)
    f->pipe->readers--;
else if (f->kind == UF_PIPE_WRITE)
    f->pipe->writers--;
else if (f->kind == UF_DIR)
    kfree((void *)f->data);
memset(f, 0, sizeof *f);
preempt_on();`);
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
      w.comment("At exit: every descriptor closed, so that the other end of a pipe sees EOF or EPIPE.");
      w.fn("void file_close_all(void)", () => {
        w.line("struct ufile *table = uproc_files();", "for (int i = 0; i < UPROC_FILES; i++)").indent(() => w.line("if (table[i].kind != UF_NONE)").indent(() => w.line("fd_release(&table[i]);")));
      });
      w.blank();
      w.comment("pipe(fds): a free pipe with a read end at fds[0] and a write end at fds[1]; flags may hold O_CLOEXEC (02000000).");
      w.fn("int64 file_pipe(uint64 fds_va, uint64 flags)", () => {
        w.line(`if (!uvm_check(fds_va, 8, 1))
    return -EFAULT;
if ((flags & ~(uint64)(02000000 | 04000)) != 0) /* O_CLOEXEC, O_NONBLOCK */
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
struct ufile end = { .kind = UF_PIPE_READ, .open = 1, .flags = flags & 04000, .pipe = p };
fd_install((uint64)r, &end);
end.kind = UF_PIPE_WRITE;
end.flags |= 1; /* O_WRONLY */
fd_install((uint64)wfd, &end);
uproc_files()[r].cloexec = uproc_files()[wfd].cloexec = (flags & 02000000) != 0;
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
if (oldfd == newfd || (flags & ~(uint64)02000000) != 0)
    return -EINVAL;
struct ufile copy = *f;
struct ufile *g = &uproc_files()[newfd];
if (g->kind != UF_NONE)
    fd_release(g);
int64 err = fd_install(newfd, &copy);
if (err != 0)
    return err;
g->cloexec = (flags & 02000000) != 0;
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
        "open(path, flags): a leading slash is optional. /dev/null and /dev/console",
        "are devices, outside the sandbox's paths (writing to the console still",
        "needs its capability). For a file or a folder (a path the initrd's names",
        "imply, opened read-only) the sandbox decides first",
        "(core/sandbox.c: fs.read to read, fs.write to write, a package's paths);",
        "then, the initrd being read-only, an allowed open for writing is -EROFS.",
      );
      w.fn("int64 file_open(uint64 path_va, uint64 flags)", () => {
        w.line(`char raw[128], path[128];
const uint8 *data;
uint64 len;
int64 n = uvm_copy_str(raw, path_va, sizeof raw);
if (n < 0)
    return n == -1 ? -EFAULT : -ENAMETOOLONG;
if (path_clean(path, sizeof path, "", raw) < 0)
    return -ENOENT; /* a ".." above the root names nothing */
int dev = memcmp(path, "dev/null", 9) == 0 ? UF_NULL : memcmp(path, "dev/console", 12) == 0 ? UF_CONSOLE : UF_NONE;
int write = (flags & O_ACCMODE) != O_RDONLY || (flags & O_CREAT) != 0;
int kind = dev;
if (dev == UF_NONE) {
    int64 err = sandbox_open(path, write);
    if (err != 0)
        return err;
    if (initrd_lookup(path, &data, &len))
        kind = UF_FILE;
    else if (initrd_is_dir(path))
        kind = UF_DIR;
    else
        return write ? -EROFS : -ENOENT;
    if (write)
        return kind == UF_DIR ? -EISDIR : -EROFS;
    if ((flags & O_DIRECTORY) && kind != UF_DIR)
        return -ENOTDIR;
}
int64 fd = fd_alloc(0);
if (fd < 0)
    return fd;
struct ufile f = { .kind = kind, .open = 1, .flags = flags & (O_ACCMODE | 04000 | 02000) };
if (kind == UF_FILE) {
    f.data = data;
    f.size = len;
} else if (kind == UF_DIR) {
    f.data = (const uint8 *)path; /* fd_install copies it */
}
int64 err = fd_install((uint64)fd, &f);
if (err != 0)
    return err;
uproc_files()[fd].cloexec = (flags & 02000000) != 0;
return fd;`);
      });
      w.blank();
      w.comment(
        "getdents64(fd, buf, len): the next entries of a folder as struct",
        "linux_dirent64 { uint64 ino; int64 off; uint16 reclen; uint8 type; char name[]; },",
        "each 8-byte aligned: \".\" and \"..\" first, then the initrd's. f->off is",
        "0 or 1 for those two, else 2 + the archive offset to look from.",
      );
      w.fn("int64 file_getdents64(uint64 fd, uint64 buf, uint64 len)", () => {
        w.line(`struct ufile *f = fd_file(fd);
char name[256];
if (f == NULL)
    return -EBADF;
if (f->kind != UF_DIR)
    return -ENOTDIR;
if (!uvm_check(buf, len > 0 ? len : 1, 1))
    return -EFAULT;
uint64 done = 0;
for (;;) {
    uint64 next;
    int type = 4;
    if (f->off < 2) {
        name[0] = name[1] = '.';
        name[f->off + 1] = 0;
        next = f->off + 1;
    } else {
        uint64 cookie = f->off - 2;
        if (!initrd_dir_next((const char *)f->data, &cookie, name, &type))
            break;
        next = cookie + 2;
    }
    uint64 n = strlen(name), reclen = (19 + n + 1 + 7) & ~7UL;
    if (done + reclen > len) {
        if (done == 0)
            return -EINVAL; /* the buffer holds not even one */
        break;
    }
    uint8 *d = (uint8 *)buf + done;
    memset(d, 0, reclen);
    *(uint64 *)d = next;         /* d_ino: any non-zero number */
    *(int64 *)(d + 8) = (int64)next;
    *(uint16 *)(d + 16) = (uint16)reclen;
    d[18] = (uint8)type;
    memcpy(d + 19, name, n + 1);
    done += reclen;
    f->off = next;
}
return (int64)done;`);
      });
      w.blank();
      w.comment("readlink(path, buf, len): the target of a symlink of the initrd (not NUL-terminated, cut at len), if the sandbox lets the process read path; -EINVAL when it is no symlink.");
      w.fn("int64 file_readlink(uint64 path_va, uint64 buf, uint64 len)", () => {
        w.line(`char raw[128], path[128];
int64 n = uvm_copy_str(raw, path_va, sizeof raw);
if (n < 0)
    return n == -1 ? -EFAULT : -ENAMETOOLONG;
if (path_clean(path, sizeof path, "", raw) < 0)
    return -ENOENT;
if ((int64)len <= 0)
    return -EINVAL;
if (!uvm_check(buf, len, 1))
    return -EFAULT;
int64 err = sandbox_open(path, 0);
if (err != 0)
    return err;
n = initrd_readlink(path, (char *)buf, len);
return n == -1 ? (initrd_is_dir(path) ? -EINVAL : -ENOENT) : n == -2 ? -EINVAL : n;`);
      });
      w.blank();
      w.comment("stat by path: the size of the initrd file at path (a leading slash optional), if the sandbox lets the process read it; -ENOENT, -EFAULT or -EPERM else.");
      w.fn("int64 file_stat_path(uint64 path_va, uint64 *size)", () => {
        w.line(`char raw[128], path[128];
const uint8 *data;
int64 n = uvm_copy_str(raw, path_va, sizeof raw);
if (n < 0)
    return n == -1 ? -EFAULT : -ENAMETOOLONG;
if (path_clean(path, sizeof path, "", raw) < 0)
    return -ENOENT;
int64 err = sandbox_open(path, 0);
if (err != 0)
    return err;
return initrd_lookup(path, &data, size) ? 0 : -ENOENT;`);
      });
      w.blank();
      w.fn("int64 file_close(uint64 fd)", () => {
        w.line("struct ufile *f = fd_file(fd);", "if (f == NULL)").indent(() => w.line("return -EBADF;"));
        w.line("fd_release(f);", "return 0;");
      });
      w.blank();
      w.comment("read(fd, buf, len): the console has no input yet and /dev/null none (end of file); an empty pipe waits for a writer while one is open.");
      w.fn("int64 file_read(uint64 fd, uint64 buf, uint64 len)", () => {
        w.line(`struct ufile *f = fd_file(fd);
if (f == NULL || (f->flags & O_ACCMODE) == 1)
    return -EBADF;
if (f->kind == UF_DIR)
    return -EISDIR;
if (!uvm_check(buf, len > 0 ? len : 1, 1))
    return -EFAULT;
if (f->kind == UF_CONSOLE || f->kind == UF_NULL || len == 0)
    return 0;
if (f->kind == UF_PIPE_READ) {
    struct upipe *p = f->pipe;
    while (p->head == p->tail && p->writers > 0) {
        if (f->flags & 04000) /* O_NONBLOCK */
            return -EAGAIN;
        yield(), uproc_checkpoint(); /* a killed process stops waiting */
    }
    uint64 n = 0;
    preempt_off();
    for (; n < len && p->tail != p->head; n++, p->tail++)
        ((uint8 *)buf)[n] = p->buf[p->tail % PIPE_SIZE];
    preempt_on();
    return (int64)n;
}
if (f->kind != UF_FILE)
    return -EBADF;
uint64 n = f->off >= f->size ? 0 : f->size - f->off;
if (n > len)
    n = len;
memcpy((void *)buf, f->data + f->off, n);
f->off += n;
return (int64)n;`);
      });
      w.blank();
      w.comment(
        "write(fd, buf, len) for the Linux ABI: the console (one piece, so that lines",
        "of two processes do not interleave; it needs the console capability),",
        "/dev/null (swallowed), a pipe (waits for room; -EPIPE once no reader is left).",
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
        uart_putc((char)s[i]);
    preempt_on();
    return (int64)len;
}
if (f->kind != UF_PIPE_WRITE)
    return -EBADF;
struct upipe *p = f->pipe;
uint64 done = 0;
while (done < len) {
    if (p->readers == 0)
        return done > 0 ? (int64)done : -EPIPE;
    preempt_off();
    for (; done < len && p->head - p->tail < PIPE_SIZE; done++, p->head++)
        p->buf[p->head % PIPE_SIZE] = s[done];
    preempt_on();
    if (done < len) {
        if (f->flags & 04000)
            return done > 0 ? (int64)done : -EAGAIN;
        yield(), uproc_checkpoint();
    }
}
return (int64)done;`);
      });
      w.blank();
      w.comment("fstat(fd, st): st is { uint64 size; uint64 mode; }, mode a POSIX st_mode.");
      w.fn("int64 file_fstat(uint64 fd, uint64 st_va)", () => {
        w.line(`uint64 *st = (uint64 *)st_va;
struct ufile *f = fd_file(fd);
if (f == NULL)
    return -EBADF;
if (!uvm_check(st_va, 2 * sizeof(uint64), 1))
    return -EFAULT;
st[0] = f->kind == UF_FILE ? f->size : 0;
st[1] = f->kind == UF_FILE ? S_IFREG | 0444 : f->kind == UF_PIPE_READ || f->kind == UF_PIPE_WRITE ? 0010600 : S_IFCHR | 0620;
return 0;`);
      });
      w.blank();
      w.comment("lseek(fd, offset, whence): past the end is allowed (reads there give 0 bytes), before the start is not.");
      w.fn("int64 file_lseek(uint64 fd, int64 offset, uint64 whence)", () => {
        w.line(`struct ufile *f = fd_file(fd);
if (f == NULL)
    return -EBADF;
if (f->kind == UF_PIPE_READ || f->kind == UF_PIPE_WRITE)
    return -ESPIPE;
if (f->kind != UF_FILE)
    return 0; /* a device: every offset is the start */
int64 base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64)f->off : whence == SEEK_END ? (int64)f->size : -1;
if (base < 0 || (offset < 0 && base + offset < 0))
    return -EINVAL;
f->off = (uint64)(base + offset);
return (int64)f->off;`);
      });
    });
  },
};
