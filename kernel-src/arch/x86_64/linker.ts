// arch/x86_64/linker.ld: one loadable segment at 1 MiB, headers first.
import { emit, type Template } from "../../template.ts";
import { KERNEL_LOAD_ADDR } from "./memlayout.ts";

const source = "arch/x86_64/linker.ts";

export const linker: Template = {
  source,
  render() {
    const summary =
      "Links the kernel as one segment at KERNEL_LOAD_ADDR. One segment keeps file offsets linear in addresses, which the Multiboot v1 address fields (MB1_ADDRESSES) rely on: the loader copies the file as one blob.";
    return emit({ source, path: "arch/x86_64/linker.ld", summary, options: [] }, (w) => {
      w.line("ENTRY(_start)");
      w.blank();
      w.block("PHDRS {", () => w.line("image PT_LOAD FLAGS(7); /* read, write, execute */"));
      w.blank();
      w.block("SECTIONS {", () => {
        w.line(`. = 0x${KERNEL_LOAD_ADDR.toString(16)}; /* KERNEL_LOAD_ADDR in memlayout.h */`);
        w.line("__image_start = .;");
        w.blank();
        w.comment("The multiboot headers must sit in the first 8 KiB of the file.");
        w.line(".multiboot : { KEEP(*(.multiboot)) } :image");
        w.line(".text : { *(.text .text.*) } :image");
        w.line(".rodata : { *(.rodata .rodata.*) } :image");
        w.line(".data : { *(.data .data.*) } :image");
        w.line("__data_end = .;");
        w.blank();
        w.comment("Not in the file: the loader zeroes it up to __bss_end, and boot.S again.");
        w.line(".bss : {");
        w.indent(() => w.line("__bss_start = .;", "*(.bss .bss.*)", "__bss_end = .;"));
        w.line("} :image");
        w.blank();
        w.comment("Symbols, not loaded. Named here because ld.lld 14 counts them as orphans.");
        w.line(".symtab 0 : { *(.symtab) }", ".strtab 0 : { *(.strtab) }", ".shstrtab 0 : { *(.shstrtab) }");
        w.blank();
        w.comment("Nothing the kernel reads: dropped so the image holds only code and data.");
        w.line("/DISCARD/ : { *(.comment) *(.note .note.*) *(.eh_frame*) }");
      });
    });
  },
};
