// core/file.c: the file syscalls over the initrd, a read-only file system
// read in place: open, close, read, fstat and lseek. Descriptors 0-2 are the
// console; a process's files take the lowest free descriptor from 3 up.
import { emit, type Template } from "../template.ts";

const source = "core/file.ts";

export const file: Template = {
  source,
  render() {
    const summary = "open, close, read, fstat and lseek on the files of the initrd, read-only and in place.";
    return emit({ source, path: "core/file.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "errno.h"', '#include "ufile.h"', '#include "defs.h"');
      w.blank();
      w.line("#define O_ACCMODE 3", "#define O_RDONLY 0", "#define O_CREAT 0100", "#define SEEK_SET 0", "#define SEEK_CUR 1", "#define SEEK_END 2");
      w.line("#define S_IFREG 0100000", "#define S_IFCHR 0020000");
      w.blank();
      w.comment("The open file behind descriptor fd of the current process, or NULL.");
      w.fn("struct ufile *fd_file(uint64 fd)", () => {
        w.line("if (fd < FD_FIRST || fd >= FD_FIRST + UPROC_FILES)").indent(() => w.line("return NULL;"));
        w.line("struct ufile *f = &uproc_files()[fd - FD_FIRST];", "return f->open ? f : NULL;");
      });
      w.blank();
      w.comment(
        "open(path, flags): a leading slash is optional. The sandbox decides first",
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
int write = (flags & O_ACCMODE) != O_RDONLY || (flags & O_CREAT) != 0;
int64 err = sandbox_open(path, write);
if (err != 0)
    return err;
if (write)
    return -EROFS;
if (!initrd_lookup(path, &data, &len))
    return -ENOENT;
struct ufile *table = uproc_files();
for (int i = 0; i < UPROC_FILES; i++) {
    if (!table[i].open) {
        table[i].data = data;
        table[i].size = len;
        table[i].off = 0;
        table[i].open = 1;
        return FD_FIRST + i;
    }
}
return -EMFILE;`);
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
        w.line("f->open = 0;", "return 0;");
      });
      w.blank();
      w.comment("read(fd, buf, len): fd 0 is the console, which has no input yet (end of file).");
      w.fn("int64 file_read(uint64 fd, uint64 buf, uint64 len)", () => {
        w.line(`if (fd == 0)
    return uvm_check(buf, len, 1) ? 0 : -EFAULT;
struct ufile *f = fd_file(fd);
if (f == NULL)
    return -EBADF;
uint64 n = f->off >= f->size ? 0 : f->size - f->off;
if (n > len)
    n = len;
if (!uvm_check(buf, n > 0 ? n : 1, 1))
    return -EFAULT;
memcpy((void *)buf, f->data + f->off, n);
f->off += n;
return (int64)n;`);
      });
      w.blank();
      w.comment("fstat(fd, st): st is { uint64 size; uint64 mode; }, mode a POSIX st_mode.");
      w.fn("int64 file_fstat(uint64 fd, uint64 st_va)", () => {
        w.line(`uint64 *st = (uint64 *)st_va;
struct ufile *f = fd_file(fd);
if (f == NULL && fd >= FD_FIRST)
    return -EBADF;
if (!uvm_check(st_va, 2 * sizeof(uint64), 1))
    return -EFAULT;
st[0] = f != NULL ? f->size : 0;
st[1] = f != NULL ? S_IFREG | 0444 : S_IFCHR | 0620;
return 0;`);
      });
      w.blank();
      w.comment("lseek(fd, offset, whence): past the end is allowed (reads there give 0 bytes), before the start is not.");
      w.fn("int64 file_lseek(uint64 fd, int64 offset, uint64 whence)", () => {
        w.line(`struct ufile *f = fd_file(fd);
if (f == NULL)
    return -EBADF;
int64 base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64)f->off : whence == SEEK_END ? (int64)f->size : -1;
if (base < 0 || (offset < 0 && base + offset < 0))
    return -EINVAL;
f->off = (uint64)(base + offset);
return (int64)f->off;`);
      });
    });
  },
};
