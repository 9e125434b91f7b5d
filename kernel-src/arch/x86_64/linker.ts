// arch/x86_64/linker.ld: three loadable segments linked in the higher half
// (KERNBASE + 1 MiB) and loaded at physical 1 MiB, headers first: read-only,
// read-execute, read-write (W^X), each on pages of its own.
import { emit, type Template } from "../../template.ts";
import { KERNBASE, KERNEL_LINK_ADDR, PGSIZE } from "./memlayout.ts";

const source = "arch/x86_64/linker.ts";

/** The first 2 MiB, which boot.S maps in 4 KiB pages: text and read-only data must lie below it to get their own rights. */
const FINE_MAP_END = 0x200000n;

const hex = (n: bigint): string => `0x${n.toString(16)}`;

export const linker: Template = {
  source,
  render() {
    const summary =
      "Links the kernel at KERNBASE + KERNEL_LOAD_ADDR (virtual) and loads it at KERNEL_LOAD_ADDR (physical: p_paddr, through AT(), which GRUB loads segments at and translates e_entry by) as a read-only, a read-execute and a read-write segment, each page-aligned, so that no page is both writable and executable. The segments follow each other with no gap, which keeps file offsets linear in addresses: the Multiboot v1 address fields (MB1_ADDRESSES) rely on it, as the loader copies the file as one blob.";
    return emit({ source, path: "arch/x86_64/linker.ld", summary, options: [] }, (w) => {
      w.comment(
        "e_entry is _start's link address: GRUB's Multiboot2 ELF loader finds the segment",
        "holding it and enters at the matching p_paddr (it refuses an entry outside every",
        "segment's p_vaddr range). Multiboot v1 loaders use entry_addr in boot.S instead.",
      );
      w.line("ENTRY(_start)");
      w.line(`KERNBASE = ${hex(KERNBASE)}; /* KERNBASE in memlayout.h */`);
      w.line(`PGSIZE = ${PGSIZE}; /* PGSIZE in memlayout.h (this file is not preprocessed) */`);
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
        w.line(`. = ${hex(KERNEL_LINK_ADDR)}; /* KERNBASE + KERNEL_LOAD_ADDR in memlayout.h */`);
        w.line("__image_start = .;");
        w.blank();
        w.comment("Every section is loaded KERNBASE below its address (AT), so p_paddr is physical.");
        w.comment("The multiboot headers must sit in the first 8 KiB of the file.");
        w.line(".multiboot : AT(ADDR(.multiboot) - KERNBASE) { KEEP(*(.multiboot)) } :rodata");
        w.line(".rodata : AT(ADDR(.rodata) - KERNBASE) { *(.rodata .rodata.*) } :rodata");
        w.blank();
        w.comment("Each segment starts a page: boot.S maps a page with its segment's rights.");
        w.line(". = ALIGN(PGSIZE);", "__text_start = .;");
        w.line(".text : AT(ADDR(.text) - KERNBASE) { *(.text .text.*) } :text");
        w.line(". = ALIGN(PGSIZE);", "__text_end = .;");
        w.blank();
        w.line(".data : AT(ADDR(.data) - KERNBASE) { *(.data .data.*) } :data");
        w.line("__data_end = .;");
        w.blank();
        w.comment("Not in the file: the loader zeroes it up to __bss_end, and boot.S again.");
        w.line(".bss : AT(ADDR(.bss) - KERNBASE) {");
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
      w.line(`ASSERT(__text_end <= KERNBASE + ${hex(FINE_MAP_END)}, "kernel text must lie in the first 2 MiB, which boot.S maps in 4 KiB pages")`);
    });
  },
};
