// include/memlayout.h: where the kernel sits in memory (linked in the higher
// half at KERNBASE + 1 MiB, loaded at physical 1 MiB) and where user processes
// live. The addresses are also exported for linker.ts and user/linker.ts, so
// every file agrees on them.
import { emit, type Template } from "../../template.ts";
import { alignColumns } from "../../writer.ts";

const source = "arch/x86_64/memlayout.ts";

/** Where the kernel's half starts (-2 GiB, Linux's __START_KERNEL_map): physical 0..1 GiB is mapped here, so -mcmodel=kernel's sign-extended 32-bit addresses reach the image. */
export const KERNBASE = 0xffffffff80000000n;
/** Physical address the image is loaded at: 1 MiB, above the BIOS area. */
export const KERNEL_LOAD_ADDR = 0x100000;
/** Virtual address the image is linked at: its physical one in the direct map. */
export const KERNEL_LINK_ADDR = KERNBASE + BigInt(KERNEL_LOAD_ADDR);
/** How much physical memory the direct map at KERNBASE covers (the boot page tables' 512 2 MiB pages). */
export const DIRECT_MAP_SIZE = 0x40000000;

/** Where an Exo-ABI process's user window starts and how big it is: one page table. SDK programs are linked here. */
export const USER_BASE = 0x40000000;
export const USER_SIZE = 0x200000;

/** The lowest user address of any process (Linux's mmap_min_addr): the first 64 KiB stay unmapped, a null-pointer guard. */
export const USER_MIN = 0x10000;
/** Where a Linux-ABI process's stack ends: just below the top of the lower canonical half (0x8000_0000_0000). */
export const LINUX_STACK_TOP = 0x7ffffffff000;
/** Linux-ABI mmap takes addresses downwards from here; ELF segments and brk stay below LINUX_MMAP_FLOOR. */
export const LINUX_MMAP_TOP = 0x7f0000000000;
export const LINUX_MMAP_FLOOR = 0x7e0000000000;
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
      w.comment(
        "The kernel's half: physical 0..DIRECT_MAP_SIZE is mapped at KERNBASE (PML4[511] ->",
        "PDPT[510]) in every address space, supervisor-only. Plain numbers for assembly,",
        "unsigned long for C.",
      );
      w.line("#ifdef __ASSEMBLER__");
      w.line(...alignColumns([["#define", "KERNBASE", hex(KERNBASE)]]));
      w.line("#else");
      w.line(...alignColumns([["#define", "KERNBASE", `${hex(KERNBASE)}UL`]]));
      w.comment("A physical address's kernel (direct-map) address, and back. Only for the first DIRECT_MAP_SIZE.");
      w.line(
        ...alignColumns([
          ["#define", "P2V(pa)", "((void *)((uint64)(pa) + KERNBASE))"],
          ["#define", "V2P(va)", "((uint64)(va) - KERNBASE)"],
        ]),
      );
      w.line("#endif");
      w.comment("boot.S runs at physical addresses until it jumps to the kernel's half: V2P for link-time symbols there.");
      w.line("#define V2P_SYM(sym) ((sym) - KERNBASE)");
      w.blank();
      w.line(
        ...alignColumns([
          ["#define", "KERNEL_LOAD_ADDR", hex(KERNEL_LOAD_ADDR), "/* the image's physical address; linker.ld links it at KERNBASE + this */"],
          ["#define", "DIRECT_MAP_SIZE", hex(DIRECT_MAP_SIZE), "/* physical memory mapped at KERNBASE: 1 GiB ... */"],
          ["#define", "BOOT_PAGE_SIZE", "0x200000", "/* ... in 2 MiB pages ... */"],
          ["#define", "BOOT_MAP_PAGES", "512", "/* ... 512 of them */"],
          ["#define", "BOOT_STACK_SIZE", "16384", "/* kmain's stack */"],
          ["#define", "USER_BASE", `${hex(USER_BASE)}UL`, "/* an Exo-ABI process's user window starts here ... */"],
          ["#define", "USER_SIZE", `${hex(USER_SIZE)}UL`, "/* ... and spans 2 MiB: one page table */"],
          ["#define", "USER_STACK_TOP", "(USER_BASE + USER_SIZE)", "/* the user stack ends the window ... */"],
          ["#define", "USER_STACK_PAGES", "4", "/* ... and is 16 KiB: programs load below USER_STACK_TOP - 16 KiB */"],
          ["#define", "USER_MIN", `${hex(USER_MIN)}UL`, "/* no user page below: a null-pointer guard (Linux's mmap_min_addr) */"],
          ["#define", "USER_LIMIT", "0x800000000000UL", "/* ... nor at or above the end of the lower canonical half */"],
          ["#define", "LINUX_STACK_TOP", `${hex(LINUX_STACK_TOP)}UL`, "/* a Linux-ABI process's stack ends here ... */"],
          ["#define", "LINUX_STACK_PAGES", "32", "/* ... is 128 KiB, with an unmapped guard page below it */"],
          ["#define", "LINUX_MMAP_TOP", `${hex(LINUX_MMAP_TOP)}UL`, "/* its mmap takes addresses downwards from here ... */"],
          ["#define", "LINUX_MMAP_FLOOR", `${hex(LINUX_MMAP_FLOOR)}UL`, "/* ... to here; its ELF segments and brk stay below */"],
        ]),
      );
    });
  },
};
