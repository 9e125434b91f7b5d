// arch/x86_64/linker.ld: three loadable segments at 1 MiB, headers first:
// read-only, read-execute, read-write (W^X), each on pages of its own.
import { emit, type Template } from "../../template.ts";
import { KERNEL_LOAD_ADDR } from "./memlayout.ts";

const source = "arch/x86_64/linker.ts";

/** The first 2 MiB, which boot.S maps in 4 KiB pages: text and read-only data must lie below it to get their own rights. */
const FINE_MAP_END = 0x200000;

export const linker: Template = {
  source,
  render() {
    const summary =
      "Links the kernel at KERNEL_LOAD_ADDR as a read-only, a read-execute and a read-write segment, each page-aligned, so that no page is both writable and executable. The segments follow each other with no gap, which keeps file offsets linear in addresses: the Multiboot v1 address fields (MB1_ADDRESSES) rely on it, as the loader copies the file as one blob.";
    return emit({ source, path: "arch/x86_64/linker.ld", summary, options: [] }, (w) => {
      w.line("ENTRY(_start)");
      w.blank();
      w.block("PHDRS {", () =>
        w.line(
          "rodata PT_LOAD FLAGS(4); /* read: the multiboot headers and constants */",
          "text PT_LOAD FLAGS(5);   /* read, execute */",
          "data PT_LOAD FLAGS(6);   /* read, write */",
        ),
      );
      w.blank();
      w.block("SECTIONS {", () => {
        w.line(`. = 0x${KERNEL_LOAD_ADDR.toString(16)}; /* KERNEL_LOAD_ADDR in memlayout.h */`);
        w.line("__image_start = .;");
        w.blank();
        w.comment("The multiboot headers must sit in the first 8 KiB of the file.");
        w.line(".multiboot : { KEEP(*(.multiboot)) } :rodata");
        w.line(".rodata : { *(.rodata .rodata.*) } :rodata");
        w.blank();
        w.comment("Each segment starts a page: boot.S maps a page with its segment's rights.");
        w.line(". = ALIGN(4096);", "__text_start = .;");
        w.line(".text : { *(.text .text.*) } :text");
        w.line(". = ALIGN(4096);", "__text_end = .;");
        w.blank();
        w.line(".data : { *(.data .data.*) } :data");
        w.line("__data_end = .;");
        w.blank();
        w.comment("Not in the file: the loader zeroes it up to __bss_end, and boot.S again.");
        w.line(".bss : {");
        w.indent(() => w.line("__bss_start = .;", "*(.bss .bss.*)", "__bss_end = .;"));
        w.line("} :data");
        w.blank();
        w.comment("Symbols, not loaded. Named here because ld.lld 14 counts them as orphans.");
        w.line(".symtab 0 : { *(.symtab) }", ".strtab 0 : { *(.strtab) }", ".shstrtab 0 : { *(.shstrtab) }");
        w.blank();
        w.comment("Nothing the kernel reads: dropped so the image holds only code and data.");
        w.line("/DISCARD/ : { *(.comment) *(.note .note.*) *(.eh_frame*) }");
      });
      w.blank();
      w.line(`ASSERT(__text_end <= 0x${FINE_MAP_END.toString(16)}, "kernel text must lie in the first 2 MiB, which boot.S maps in 4 KiB pages")`);
    });
  },
};
