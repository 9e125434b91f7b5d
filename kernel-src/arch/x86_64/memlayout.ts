// include/memlayout.h: where the kernel sits in memory (linked in the higher
// half at KERNBASE + 1 MiB, loaded at physical 1 MiB) and where user processes
// live. The addresses are also exported for linker.ts and user/linker.ts, so
// every file agrees on them.
import { emit, type Template } from "../../template.ts";
import { alignColumns } from "../../writer.ts";
import { directMap, layoutHead, LINUX_LAYOUT_47, userLayoutRows } from "../layout.ts";

export { PGSHIFT, PGSIZE, USER_BASE } from "../layout.ts";

const source = "arch/x86_64/memlayout.ts";

/** Where the kernel's half starts (-2 GiB, Linux's __START_KERNEL_map): physical 0..1 GiB is mapped here, so -mcmodel=kernel's sign-extended 32-bit addresses reach the image. */
export const KERNBASE = 0xffffffff80000000n;
/** Physical address the image is loaded at: 1 MiB, above the BIOS area. */
export const KERNEL_LOAD_ADDR = 0x100000;
/** Virtual address the image is linked at: its physical one in the direct map. */
export const KERNEL_LINK_ADDR = KERNBASE + BigInt(KERNEL_LOAD_ADDR);
/** How much physical memory the direct map at KERNBASE covers (the boot page tables' 512 2 MiB pages). */
export const DIRECT_MAP_SIZE = 0x40000000;

/** Where the musl toolchain links programs, clear of the Exo window; near enough to 0 that musl's crt1 (PC32 to weak symbols) links. */
export const MUSL_TEXT_BASE = 0x41000000;


const hex = (n: number | bigint): string => `0x${n.toString(16)}`;

export const memlayout: Template = {
  source,
  render() {
    const summary =
      "Memory layout: the kernel's half at KERNBASE (P2V/V2P between physical and kernel addresses), where the image is loaded, what the boot page tables map, how big the boot stack is, where user processes live.";
    return emit({ source, path: "include/memlayout.h", summary, options: [] }, (w) => {
      w.line("#pragma once");
      w.blank();
      layoutHead(w, "The kernel's half: physical 0..DIRECT_MAP_SIZE is mapped at KERNBASE (PML4[511] -> PDPT[510]) in every address space, supervisor-only.", [["KERNBASE", KERNBASE]]);
      directMap(w);
      w.comment("boot.S runs at physical addresses until it jumps to the kernel's half: V2P for link-time symbols there.");
      w.line("#define V2P_SYM(sym) ((sym) - (KERNBASE))");
      w.blank();
      w.line(
        ...alignColumns([
          ["#define", "KERNEL_LOAD_ADDR", hex(KERNEL_LOAD_ADDR), "/* the image's physical address; linker.ld links it at KERNBASE + this */"],
          ["#define", "DIRECT_MAP_SIZE", hex(DIRECT_MAP_SIZE), "/* physical memory mapped at KERNBASE: 1 GiB ... */"],
          ["#define", "BOOT_PAGE_SIZE", "0x200000", "/* ... in 2 MiB pages ... */"],
          ["#define", "BOOT_MAP_PAGES", "512", "/* ... 512 of them */"],
          ["#define", "BOOT_STACK_SIZE", "16384", "/* kmain's stack */"],
          ...userLayoutRows({
            limit: 0x800000000000,
            limitIs: "the end of the lower canonical half",
            linux: LINUX_LAYOUT_47,
            linuxAbi: true,
          }),
        ]),
      );
    });
  },
};
