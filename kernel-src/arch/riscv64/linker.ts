// arch/riscv64/linker.ld: the kernel linked in the direct map at KERNBASE +
// KERNEL_LOAD_ADDR and loaded at KERNEL_LOAD_ADDR (p_paddr, through AT()):
// read-execute (the Image header, then text), read-only and read-write
// segments, each page-aligned (W^X: boot.S maps each page with its segment's
// rights). llvm-objcopy -O binary of it is the Image OpenSBI loads.
import { emit, type Template } from "../../template.ts";
import { BOOT_PT_PAGES, KERNBASE, KERNEL_LINK_ADDR, PGSHIFT } from "./memlayout.ts";

const source = "arch/riscv64/linker.ts";

const hex = (n: bigint): string => `0x${n.toString(16)}`;

export const linker: Template = {
  source,
  render() {
    const summary =
      "Links the kernel at KERNBASE + KERNEL_LOAD_ADDR and loads it at KERNEL_LOAD_ADDR as a read-execute (Image header and text), a read-only and a read-write segment, each page-aligned, with no gaps, so the flat Image is the segments in a row.";
    return emit({ source, path: "arch/riscv64/linker.ld", summary, options: [] }, (w) => {
      w.line("ENTRY(_start)");
      w.line(`KERNBASE = ${hex(KERNBASE)}; /* KERNBASE in memlayout.h */`, `PGSIZE = ${hex(1n << BigInt(PGSHIFT))}; /* PGSIZE in memlayout.h */`);
      w.blank();
      w.block("PHDRS {", () =>
        w.line(
          "text PT_LOAD FLAGS(5);   /* read, execute: the Image header first */",
          "rodata PT_LOAD FLAGS(4); /* read */",
          "data PT_LOAD FLAGS(6);   /* read, write */",
        ),
      );
      w.blank();
      w.block("SECTIONS {", () => {
        w.line(`. = ${hex(KERNEL_LINK_ADDR)}; /* KERNBASE + KERNEL_LOAD_ADDR in memlayout.h */`);
        w.line("__image_start = .;", "__text_start = .;");
        w.blank();
        w.comment("Every section is loaded KERNBASE below its address (AT), so p_paddr is physical.");
        w.comment("The Image header must be the file's first 64 bytes.");
        w.line(".text : AT(ADDR(.text) - KERNBASE) { KEEP(*(.head.text)) *(.text .text.*) } :text");
        w.line(". = ALIGN(PGSIZE);", "__text_end = .;");
        w.blank();
        w.line(".rodata : AT(ADDR(.rodata) - KERNBASE) { *(.rodata .rodata.* .srodata .srodata.*) } :rodata");
        w.line(". = ALIGN(PGSIZE);", "__rodata_end = .;");
        w.blank();
        w.line(".data : AT(ADDR(.data) - KERNBASE) { *(.data .data.* .sdata .sdata.*) } :data");
        w.line("__data_end = .;");
        w.blank();
        w.comment("Not in the Image: boot.S zeroes it up to __bss_end before anything reads it.");
        w.line(".bss : AT(ADDR(.bss) - KERNBASE) {");
        w.indent(() => w.line("__bss_start = .;", "*(.sbss .sbss.* .bss .bss.*)", "__bss_end = .;"));
        w.line("} :data");
        w.line(". = ALIGN(PGSIZE);", "__image_end = .;", "__image_size = __image_end - __image_start; /* the Image header's image_size */");
        w.blank();
        w.comment("Symbols, not loaded. Named here because ld.lld 14 counts them as orphans.");
        w.line(".symtab 0 : { *(.symtab) }", ".strtab 0 : { *(.strtab) }", ".shstrtab 0 : { *(.shstrtab) }");
        w.blank();
        w.comment("Nothing the kernel reads: dropped so the image holds only code and data.");
        w.line("/DISCARD/ : { *(.comment) *(.note .note.*) *(.eh_frame*) *(.riscv.attributes) }");
      });
      w.blank();
      w.line(`ASSERT(__image_end - __image_start <= ${hex(BigInt(BOOT_PT_PAGES) * 0x200000n)}, "the image must fit in the BOOT_PT_PAGES page tables of 4 KiB pages boot_map makes")`);
    });
  },
};
