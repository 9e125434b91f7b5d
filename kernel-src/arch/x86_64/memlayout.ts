// include/memlayout.h: where the kernel sits in memory at boot. The load
// address is also exported for linker.ts, so both files agree on it.
import { emit, type Template } from "../../template.ts";
import { alignColumns } from "../../writer.ts";

const source = "arch/x86_64/memlayout.ts";

/** Physical (and, identity-mapped, virtual) address the image is linked and loaded at: 1 MiB, above the BIOS area. */
export const KERNEL_LOAD_ADDR = 0x100000;

/** Where a process's user window starts (just above the kernel's 1 GiB) and how big it is: one page table. User programs are linked here. */
export const USER_BASE = 0x40000000;
export const USER_SIZE = 0x200000;

/** The lowest user address of any process: below it is the kernel's identity map of the first 1 GiB. */
export const USER_MIN = 0x40000000;
/** Where a Linux-ABI process's stack ends: just below the top of the lower canonical half (0x8000_0000_0000). */
export const LINUX_STACK_TOP = 0x7ffffffff000;
/** Linux-ABI mmap takes addresses downwards from here; ELF segments and brk stay below LINUX_MMAP_FLOOR. */
export const LINUX_MMAP_TOP = 0x7f0000000000;
export const LINUX_MMAP_FLOOR = 0x7e0000000000;
/** Where the musl toolchain links programs: above the kernel's 1 GiB, near enough to 0 that musl's crt1 (PC32 to weak symbols) links. */
export const MUSL_TEXT_BASE = 0x41000000;

export const memlayout: Template = {
  source,
  render() {
    const summary = "Memory layout: where the image is loaded, what the boot page tables map, how big the boot stack is, where user processes live.";
    return emit({ source, path: "include/memlayout.h", summary, options: [] }, (w) => {
      w.line("#pragma once");
      w.blank();
      w.line(
        ...alignColumns([
          ["#define", "KERNEL_LOAD_ADDR", `0x${KERNEL_LOAD_ADDR.toString(16)}`, "/* the image's address; arch/x86_64/linker.ld links it here */"],
          ["#define", "BOOT_PAGE_SIZE", "0x200000", "/* the boot page tables map 2 MiB pages */"],
          ["#define", "BOOT_MAP_PAGES", "512", "/* ... 512 of them: the first 1 GiB, identity-mapped */"],
          ["#define", "BOOT_STACK_SIZE", "16384", "/* kmain's stack */"],
          ["#define", "USER_BASE", `0x${USER_BASE.toString(16)}UL`, "/* a process's user window starts here, just above the kernel's 1 GiB */"],
          ["#define", "USER_SIZE", `0x${USER_SIZE.toString(16)}UL`, "/* ... and spans 2 MiB: one page table */"],
          ["#define", "USER_STACK_TOP", "(USER_BASE + USER_SIZE)", "/* the user stack ends the window ... */"],
          ["#define", "USER_STACK_PAGES", "4", "/* ... and is 16 KiB: programs load below USER_STACK_TOP - 16 KiB */"],
          ["#define", "USER_MIN", `0x${USER_MIN.toString(16)}UL`, "/* no user page below: the kernel's 1 GiB */"],
          ["#define", "USER_LIMIT", "0x800000000000UL", "/* ... nor at or above the end of the lower canonical half */"],
          ["#define", "LINUX_STACK_TOP", `0x${LINUX_STACK_TOP.toString(16)}UL`, "/* a Linux-ABI process's stack ends here ... */"],
          ["#define", "LINUX_STACK_PAGES", "32", "/* ... is 128 KiB, with an unmapped guard page below it */"],
          ["#define", "LINUX_MMAP_TOP", `0x${LINUX_MMAP_TOP.toString(16)}UL`, "/* its mmap takes addresses downwards from here ... */"],
          ["#define", "LINUX_MMAP_FLOOR", `0x${LINUX_MMAP_FLOOR.toString(16)}UL`, "/* ... to here; its ELF segments and brk stay below */"],
        ]),
      );
    });
  },
};
