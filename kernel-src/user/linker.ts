// user/user.ld: user programs are static ELF executables linked at the start
// of the process's user window, code and data in separate page-aligned
// segments so that the kernel can map the code read-only.
import { portOf } from "../ports.ts";
import { emit, type FixedTemplate } from "../template.ts";

const source = "user/linker.ts";

/** The page size every port maps user programs with (PGSIZE in its memlayout.h). Port has no field for it yet. */
const PGSIZE = 1 << 12;

export const userLinker: FixedTemplate = {
  source,
  render(arch) {
    const summary = "Links a user program at USER_BASE: a read-execute segment for code and constants, a read-write one for data.";
    return emit({ source, path: "user.ld", summary, options: [] }, (w) => {
      w.line("ENTRY(_start)");
      w.line(`PGSIZE = ${PGSIZE}; /* PGSIZE in the kernel's memlayout.h (this file is not preprocessed) */`);
      w.blank();
      w.block("PHDRS {", () => w.line("text PT_LOAD FLAGS(5); /* read, execute */", "data PT_LOAD FLAGS(6); /* read, write */", "note PT_NOTE FLAGS(4); /* the Exo ABI note (crt0): the kernel runs the program under Exo's ABI */"));
      w.blank();
      w.block("SECTIONS {", () => {
        w.line(`. = 0x${portOf(arch).userBase.toString(16)}; /* USER_BASE in the kernel's memlayout.h */`);
        w.line(".text : { *(.text .text.*) } :text");
        w.line(".rodata : { *(.rodata .rodata.*) } :text");
        w.line(".note.exo : { KEEP(*(.note.exo)) } :text :note");
        w.line(". = ALIGN(PGSIZE);");
        w.line(".data : { *(.data .data.*) } :data");
        w.line(".bss : { *(.bss .bss.*) *(COMMON) } :data");
        w.line(".symtab 0 : { *(.symtab) }", ".strtab 0 : { *(.strtab) }", ".shstrtab 0 : { *(.shstrtab) }");
        // .riscv.attributes: what clang records of the RISC-V ISA; nothing reads it at run time.
        w.line("/DISCARD/ : { *(.comment) *(.note .note.*) *(.eh_frame*) *(.riscv.attributes) }");
      });
    });
  },
};
