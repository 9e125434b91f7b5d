// include/multiboot.h: the constants of the two boot protocols the kernel
// speaks, Multiboot v1 (QEMU -kernel) and Multiboot2 (GRUB).
import { emit, type Template } from "../../template.ts";
import { alignColumns } from "../../writer.ts";

const source = "arch/x86_64/multiboot.ts";

export const multiboot: Template = {
  source,
  render() {
    const summary = "Multiboot v1 and Multiboot2 header and loader constants, for boot.S and kmain.";
    return emit({ source, path: "include/multiboot.h", summary, options: [] }, (w) => {
      w.line("#pragma once");
      w.blank();
      w.comment("Multiboot v1: header in the first 8 KiB of the file, 4-byte aligned.");
      w.line(
        ...alignColumns([
          ["#define", "MB1_HEADER_MAGIC", "0x1badb002", ""],
          ["#define", "MB1_PAGE_ALIGN", "0x00000001", "/* modules on page boundaries */"],
          ["#define", "MB1_MEMORY_INFO", "0x00000002", "/* ask for the memory map */"],
          ["#define", "MB1_ADDRESSES", "0x00010000", "/* load by the header's addresses (the \"a.out kludge\") */"],
          ["#define", "MB1_LOADER_MAGIC", "0x2badb002", "/* in EAX when a v1 loader jumps to us */"],
        ]),
      );
      w.blank();
      w.comment(
        "QEMU's -kernel loader refuses ELF64 files unless MB1_ADDRESSES is set; with",
        "it, the loader copies the file as one blob and never parses the ELF.",
      );
      w.line("#define MB1_HEADER_FLAGS (MB1_PAGE_ALIGN | MB1_MEMORY_INFO | MB1_ADDRESSES)");
      w.blank();
      w.comment("Multiboot2: header in the first 32 KiB of the file, 8-byte aligned.");
      w.line(
        ...alignColumns([
          ["#define", "MB2_HEADER_MAGIC", "0xe85250d6", ""],
          ["#define", "MB2_ARCH_I386", "0", "/* 32-bit protected-mode entry */"],
          ["#define", "MB2_TAG_END", "0", ""],
          ["#define", "MB2_LOADER_MAGIC", "0x36d76289", "/* in EAX when a Multiboot2 loader jumps to us */"],
        ]),
      );
    });
  },
};
