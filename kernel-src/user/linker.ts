// user/user.ld: user programs are static ELF executables linked at the start
// of the process's user window, code and data in separate page-aligned
// segments so that the kernel can map the code read-only.
import { USER_BASE } from "../arch/x86_64/memlayout.ts";
import { emit, type FixedTemplate } from "../template.ts";

const source = "user/linker.ts";

export const userLinker: FixedTemplate = {
  source,
  render() {
    const summary = "Links a user program at USER_BASE: a read-execute segment for code and constants, a read-write one for data.";
    return emit({ source, path: "user.ld", summary, options: [] }, (w) => {
      w.line("ENTRY(_start)");
      w.blank();
      w.block("PHDRS {", () => w.line("text PT_LOAD FLAGS(5); /* read, execute */", "data PT_LOAD FLAGS(6); /* read, write */", "note PT_NOTE FLAGS(4); /* the Exo ABI note (crt0): the kernel runs the program under Exo's ABI */"));
      w.blank();
      w.block("SECTIONS {", () => {
        w.line(`. = 0x${USER_BASE.toString(16)}; /* USER_BASE in the kernel's memlayout.h */`);
        w.line(".text : { *(.text .text.*) } :text");
        w.line(".rodata : { *(.rodata .rodata.*) } :text");
        w.line(".note.exo : { KEEP(*(.note.exo)) } :text :note");
        w.line(". = ALIGN(4096);");
        w.line(".data : { *(.data .data.*) } :data");
        w.line(".bss : { *(.bss .bss.*) *(COMMON) } :data");
        w.line(".symtab 0 : { *(.symtab) }", ".strtab 0 : { *(.strtab) }", ".shstrtab 0 : { *(.shstrtab) }");
        w.line("/DISCARD/ : { *(.comment) *(.note .note.*) *(.eh_frame*) }");
      });
    });
  },
};
