// include/ufile.h: what core/uproc.c, core/file.c and core/linux.c share about
// a process: the size of the process table, of each descriptor table, and a
// descriptor, which is one of a few kinds (a file of the initrd, a folder of
// it, the console, /dev/null, an end of a pipe, a file or folder of a tmpfs).
import { emit, type Template } from "../template.ts";

const source = "core/ufile.ts";

export const ufile: Template = {
  source,
  render() {
    const summary = "Process limits, the kinds of descriptor and the pipe shared by two of them.";
    return emit({ source, path: "include/ufile.h", summary, options: [] }, (w) => {
      w.line("#pragma once");
      w.blank();
      w.line('#include "memlayout.h"');
      w.blank();
      w.line(
        "#define UPROC_MAX 32   /* processes alive (or not yet waited for) at once */",
        "#define UPROC_FILES 32 /* descriptors a process may hold: 0 to 31 (-EMFILE past) */",
        "#define FD_FIRST 3      /* 0, 1 and 2 start as the console */",
        "#define PIPE_SIZE PGSIZE  /* bytes a pipe holds before a writer must wait: a page */",
        "#define PIPE_MAX 16     /* pipes alive at once, in every process */",
      );
      w.blank();
      w.comment("What a descriptor is; UF_NONE is a free entry of the table.");
      w.line("enum ufile_kind { UF_NONE, UF_FILE, UF_DIR, UF_CONSOLE, UF_NULL, UF_PIPE_READ, UF_PIPE_WRITE, UF_TMPFILE, UF_TMPDIR };");
      w.blank();
      w.comment("A circular kernel buffer between a read end and a write end: counts of each say when to give EOF or EPIPE.");
      w.line("struct upipe {", "    uint8 buf[PIPE_SIZE];", "    uint64 head, tail; /* bytes written and read so far */", "    int readers, writers;", "};");
      w.blank();
      w.line("struct tnode; /* a file or folder of a tmpfs (core/tmpfs.c) */");
      w.blank();
      w.comment(
        "A descriptor: a file (or folder, data being its path) of the initrd read in place, never written;",
        "or a device; or a pipe end; or a tmpfs node (a counted reference). Kept at 56 bytes: the pipe",
        "and the node share their place.",
      );
      w.line(
        "struct ufile {",
        "    const uint8 *data;",
        "    uint64 size, off;",
        "    int open;          /* kind != UF_NONE, kept for the Exo ABI's callers */",
        "    int kind;          /* enum ufile_kind */",
        "    int cloexec;       /* FD_CLOEXEC: per descriptor */",
        "    uint64 flags;      /* the open flags F_GETFL reports (O_ACCMODE, O_NONBLOCK, O_APPEND) */",
        "    union {",
        "        struct upipe *pipe; /* UF_PIPE_READ, UF_PIPE_WRITE */",
        "        struct tnode *node; /* UF_TMPFILE, UF_TMPDIR */",
        "    };",
        "};",
      );
    });
  },
};
