// arch/aarch64/linker.ld: the kernel linked at KIMAGE_BASE in the upper half,
// whatever physical address it runs at (p_paddr says KERNEL_LOAD_ADDR, QEMU's
// choice): read-execute (the Image header and text), read-only, read-write
// segments, each on pages of its own. llvm-objcopy -O binary makes the Image
// from it, which starts with boot.S's arm64 Image header.
import { emit, type Template } from "../../template.ts";
import { KERNEL_LINK_ADDR, KERNEL_LOAD_ADDR, KIMAGE_BASE, PGSIZE } from "./memlayout.ts";

const source = "arch/aarch64/linker.ts";

/** The image's 2 MiB block, which boot.S maps in 4 KiB pages: the whole image (bss too) must lie in it. */
const FINE_MAP_SIZE = 0x200000n;

const hex = (n: bigint): string => `0x${n.toString(16)}`;

export const linker: Template = {
  source,
  render() {
    const summary =
      "Links the kernel at KIMAGE_BASE (virtual; p_paddr says KERNEL_LOAD_ADDR, through AT(), though boot.S runs wherever it is loaded) as a read-execute, a read-only and a read-write segment, each page-aligned, so that no page is both writable and executable. The segments follow each other with no gap, so the flat Image made with objcopy is the file's bytes from _start on, the header first.";
    return emit({ source, path: "arch/aarch64/linker.ld", summary, options: [] }, (w) => {
      w.line("ENTRY(_start)");
      w.line(`KIMAGE_BASE = ${hex(KIMAGE_BASE)};        /* KIMAGE_BASE in memlayout.h */`, `LOAD_DELTA = KIMAGE_BASE - ${hex(BigInt(KERNEL_LOAD_ADDR))}; /* link minus load address: KERNEL_LOAD_ADDR */`, `PGSIZE = ${PGSIZE};                         /* PGSIZE in memlayout.h */`);
      w.blank();
      w.block("PHDRS {", () =>
        w.line(
          "text PT_LOAD FLAGS(5);   /* read, execute: the Image header, then code */",
          "rodata PT_LOAD FLAGS(4); /* read */",
          "data PT_LOAD FLAGS(6);   /* read, write */",
        ),
      );
      w.blank();
      w.block("SECTIONS {", () => {
        w.line(`. = ${hex(KERNEL_LINK_ADDR)}; /* KIMAGE_BASE */`);
        w.line("__image_start = .;");
        w.blank();
        w.comment(
          "Every section is loaded LOAD_DELTA below its address (AT), so p_paddr is physical. The Image",
          "header must be the first bytes; with the PE/COFF header after it, it fills the first page",
          "(boot.S): the PE image's headers.",
        );
        w.line(".text : AT(ADDR(.text) - LOAD_DELTA) { KEEP(*(.text.head)) __head_end = .; *(.text .text.*) } :text");
        w.comment("Each segment starts a page: boot.S maps a page with its segment's rights.");
        w.line(". = ALIGN(PGSIZE);", "__text_end = .;");
        w.line(".rodata : AT(ADDR(.rodata) - LOAD_DELTA) { *(.rodata .rodata.*) } :rodata");
        w.line(". = ALIGN(PGSIZE);", "__rodata_end = .;");
        w.blank();
        w.comment("Padded to a page inside the section, so the Image (the file) ends at a page: the PE file alignment.");
        w.line(".data : AT(ADDR(.data) - LOAD_DELTA) { *(.data .data.*) . = ALIGN(PGSIZE); } :data");
        w.line("__data_end = .;");
        w.blank();
        w.comment("Not in the Image: boot.S zeroes it (image_size in the header covers it, so loaders leave it free).");
        w.line(".bss : AT(ADDR(.bss) - LOAD_DELTA) {");
        w.indent(() => w.line(". = ALIGN(16);", "__bss_start = .;", "*(.bss .bss.*) *(COMMON)", ". = ALIGN(16);", "__bss_end = .;"));
        w.line("} :data");
        w.line(". = ALIGN(PGSIZE);", "__image_end = .;", "__image_size = __image_end - __image_start; /* the Image header's image_size */");
        w.blank();
        w.comment("The PE/COFF header's numbers (boot.S): each section's offset in the image (its RVA, its file offset too) and sizes.");
        w.line(
          "__pe_head_size = __head_end - __image_start; /* the headers; .text's RVA */",
          "__pe_text_size = __text_end - __head_end;",
          "__pe_rodata_rva = __text_end - __image_start;",
          "__pe_rodata_size = __rodata_end - __text_end;",
          "__pe_data_rva = __rodata_end - __image_start;",
          "__pe_data_file_size = __data_end - __rodata_end; /* in the file ... */",
          "__pe_data_size = __image_end - __rodata_end;     /* ... and in memory, bss included */",
          "__pe_init_size = __pe_rodata_size + __pe_data_file_size;",
          "__pe_entry = efi_main - __image_start;           /* efi.c */",
        );
        w.blank();
        w.comment("Symbols, not loaded. Named here because ld.lld 14 counts them as orphans.");
        w.line(".symtab 0 : { *(.symtab) }", ".strtab 0 : { *(.strtab) }", ".shstrtab 0 : { *(.shstrtab) }");
        w.blank();
        w.comment("Nothing the kernel reads: dropped so the image holds only code and data.");
        w.line("/DISCARD/ : { *(.comment) *(.note .note.*) *(.eh_frame*) }");
      });
      w.blank();
      w.line('ASSERT(__pe_head_size % PGSIZE == 0, "the PE headers (boot.S) must end at a page, where .text starts")');
      w.line(`ASSERT(__image_end <= ${hex(KERNEL_LINK_ADDR + FINE_MAP_SIZE)}, "the kernel image must lie in the one 2 MiB block boot.S maps in 4 KiB pages")`);
    });
  },
};
