// include/ufile.h: what core/uproc.c and core/file.c share about a process:
// the size of the process table, of each descriptor table, and a descriptor.
import { emit, type Template } from "../template.ts";

const source = "core/ufile.ts";

export const ufile: Template = {
  source,
  render() {
    const summary = "Process limits and the descriptor of a file open in the initrd.";
    return emit({ source, path: "include/ufile.h", summary, options: [] }, (w) => {
      w.line("#pragma once");
      w.blank();
      w.line("#define UPROC_MAX 32   /* processes alive (or not yet waited for) at once */", "#define UPROC_FILES 8  /* files a process may hold open: descriptors 3 to 10 */", "#define FD_FIRST 3      /* 0, 1 and 2 are the console */");
      w.blank();
      w.comment("A file of the initrd open in a process: read in place, never written.");
      w.line("struct ufile {", "    const uint8 *data;", "    uint64 size, off;", "    int open;", "};");
    });
  },
};
