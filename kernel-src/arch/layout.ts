// What every port's include/memlayout.h says alike: the page size and the
// numbers assembly and C share, the direct map's P2V/V2P, and where user
// processes live: the Exo ABI's window (the same addresses on every port, so
// SDK programs link alike), the null-pointer guard, and the Linux-ABI layout
// core/elf.c and core/linux.c check against. A port gives only what its
// address space makes different.
import type { Writer } from "../writer.ts";

/** Where an Exo-ABI process's user window starts and how big it is: one last-level page table. SDK programs are linked here. */
export const USER_BASE = 0x40000000;
export const USER_SIZE = 0x200000;
/** The lowest user address of any process (Linux's mmap_min_addr): the first 64 KiB stay unmapped, a null-pointer guard. */
export const USER_MIN = 0x10000;

/** The Linux-ABI layout of a 47- or 48-bit lower half (x86_64's, and aarch64's as the same): the stack just below 0x8000_0000_0000, mmap from 0x7f00_0000_0000 down to 0x7e00_0000_0000. */
export const LINUX_LAYOUT_47 = { stackTop: 0x7ffffffff000, mmapTop: 0x7f0000000000, mmapFloor: 0x7e0000000000 } as const;

export interface UserLayout {
  /** The end of user space (exclusive), and what makes it the end: "the end of the lower canonical half". */
  readonly limit: number;
  readonly limitIs: string;
  /** A Linux-ABI process's stack top, and the range its mmap takes addresses from (downwards); ELF segments and brk stay below the floor. */
  readonly linux: { readonly stackTop: number; readonly mmapTop: number; readonly mmapFloor: number };
  /** Whether Linux-ABI programs run on the port (ARCH_LINUX_ABI); if not, the rows say the layout is only what core/ checks against. */
  readonly linuxAbi: boolean;
}

const hex = (n: number): string => `0x${n.toString(16)}UL`;

/** A page is 1 << PGSHIFT bytes on every port (the 4 KiB granule): PGSIZE in memlayout.h, and the number linker.ld is given. */
export const PGSHIFT = 12;
export const PGSIZE = 1 << PGSHIFT;

/**
 * memlayout.h's head: PGSHIFT, then PGSIZE and the port's addresses (name,
 * value) that assembly and C both use, as plain numbers for assembly and
 * unsigned long for C, after the port's words on its kernel half.
 */
export function layoutHead(w: Writer, kernelHalf: string, addresses: readonly (readonly [name: string, value: number | bigint])[]): void {
  w.comment("A page: the one definition of its size. PGSIZE - 1 masks the offset in a page.");
  w.line(`#define PGSHIFT ${PGSHIFT}`);
  w.blank();
  w.comment(`${kernelHalf} Plain numbers for assembly, unsigned long for C.`);
  const rows = (ul: string): string[] => addresses.map(([name, v]) => `#define ${name} 0x${v.toString(16)}${ul}`);
  w.line("#ifdef __ASSEMBLER__", "#define PGSIZE (1 << PGSHIFT)", ...rows(""));
  w.line("#else", "#define PGSIZE (1UL << PGSHIFT)", ...rows("UL"), "#endif");
  w.blank();
}

/**
 * P2V and V2P between physical and kernel (direct-map) addresses, for C only;
 * a port whose image is mapped apart gives its own V2P, its comment, and what
 * that V2P needs declared first.
 */
export function directMap(w: Writer, image?: { readonly declarations: readonly string[]; readonly comment: readonly string[]; readonly v2p: string }): void {
  // A block of its own: clang-format 14 aligns an #else branch's macros, and macros across a comment line, with the lines above them.
  w.line("#ifndef __ASSEMBLER__");
  if (image !== undefined) w.line(...image.declarations).blank();
  w.comment(...(image?.comment ?? ["A physical address's kernel (direct-map) address, and back. Only for the first DIRECT_MAP_SIZE."]));
  // (KERNBASE) in parentheses: clang-format 14 takes `(va)` for a cast before a bare `- KERNBASE` and writes `(va)-KERNBASE`.
  w.line("#define P2V(pa) ((void *)((uint64)(pa) + KERNBASE))", `#define V2P(va) ${image?.v2p ?? "((uint64)(va) - (KERNBASE))"}`);
  w.line("#endif");
}

/** memlayout.h's rows (for alignColumns) of USER_* and LINUX_*. */
export function userLayoutRows(l: UserLayout): string[][] {
  const stack = l.linuxAbi ? "a Linux-ABI process's stack ends here" : "a Linux-ABI process's stack would end here (core/ checks against it; none runs here)";
  return [
    ["#define", "USER_BASE", hex(USER_BASE), "/* an Exo-ABI process's user window starts here ... */"],
    ["#define", "USER_SIZE", hex(USER_SIZE), "/* ... and spans 2 MiB: one last-level page table */"],
    ["#define", "USER_STACK_TOP", "(USER_BASE + USER_SIZE)", "/* the user stack ends the window ... */"],
    ["#define", "USER_STACK_PAGES", "4", "/* ... and is 16 KiB: programs load below USER_STACK_TOP - 16 KiB */"],
    ["#define", "USER_MIN", hex(USER_MIN), "/* no user page below: a null-pointer guard (Linux's mmap_min_addr) */"],
    ["#define", "USER_LIMIT", hex(l.limit), `/* ... nor at or above ${l.limitIs} */`],
    ["#define", "LINUX_STACK_TOP", hex(l.linux.stackTop), `/* ${stack} ... */`],
    ["#define", "LINUX_STACK_PAGES", "32", "/* ... is 128 KiB, with an unmapped guard page below it */"],
    ["#define", "LINUX_MMAP_TOP", hex(l.linux.mmapTop), "/* its mmap takes addresses downwards from here ... */"],
    ["#define", "LINUX_MMAP_FLOOR", hex(l.linux.mmapFloor), "/* ... to here; its ELF segments and brk stay below */"],
  ];
}
