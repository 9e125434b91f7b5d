// include/memlayout.h: the riscv64 address spaces (Sv39). The kernel's half
// starts at KERNBASE (0xffffffc000000000, the bottom of Sv39's upper half),
// where physical 0..DIRECT_MAP_SIZE is mapped; the image is linked at its
// physical load address (OpenSBI fw_dynamic enters the Image at 0x80200000)
// in that direct map. User space is Sv39's lower half (256 GiB). The numbers
// are exported for linker.ts, index.ts (userBase) and the user SDK.
import { emit, type Template } from "../../template.ts";
import { alignColumns } from "../../writer.ts";
import { directMap, layoutHead, userLayoutRows } from "../layout.ts";

export { PGSHIFT, USER_BASE } from "../layout.ts";

const source = "arch/riscv64/memlayout.ts";

/** The bottom of Sv39's upper half: physical address pa is mapped at KERNBASE + pa. */
export const KERNBASE = 0xffffffc000000000n;
/** Where QEMU virt's RAM starts, and where OpenSBI (fw_dynamic) loads the Image: 2 MiB above, past its own. */
export const RAM_BASE = 0x80000000;
export const KERNEL_LOAD_ADDR = 0x80200000;
/** The image's link address: its load address in the direct map. */
export const KERNEL_LINK_ADDR = KERNBASE + BigInt(KERNEL_LOAD_ADDR);
/** Physical memory the direct map covers: 4 GiB (four 1 GiB pages), devices (UART, test finisher) and RAM. */
export const DIRECT_MAP_SIZE = 0x100000000;
/** RAM the kernel uses at most, from RAM_BASE (the copy-on-write holder counts have one slot per page of it). */
export const RAM_MAX = 0x40000000;
/** Page tables boot_map has for the image's 4 KiB pages (each maps 2 MiB): the image must fit in them. */
export const BOOT_PT_PAGES = 4;

/** The end of Sv39's lower half: no user page at or above. */
export const USER_LIMIT = 0x4000000000;
/** The Linux-ABI layout core/linux.c and core/elf.c are written against (no Linux program runs here: ARCH_LINUX_ABI is 0). */
export const LINUX_STACK_TOP = 0x3ffffff000;
export const LINUX_MMAP_TOP = 0x3f00000000;
export const LINUX_MMAP_FLOOR = 0x3e00000000;


const hex = (n: number | bigint): string => `0x${n.toString(16)}`;

export const memlayout: Template = {
  source,
  render() {
    const summary =
      "Memory layout (Sv39): the kernel's half at KERNBASE (P2V/V2P), where the image is loaded, the boot stack, where user processes live.";
    return emit({ source, path: "include/memlayout.h", summary, options: [] }, (w) => {
      w.line("#pragma once");
      w.blank();
      layoutHead(w, "The kernel's half: physical 0..DIRECT_MAP_SIZE is mapped at KERNBASE (root entries 256..259, 1 GiB each) in every address space, supervisor-only; QEMU virt's RAM starts at RAM_BASE.", [["KERNBASE", KERNBASE], ["RAM_BASE", RAM_BASE]]);
      directMap(w);
      w.blank();
      w.line(
        ...alignColumns([
          ["#define", "RAM_MAX", `${hex(RAM_MAX)}UL`, "/* the kernel uses at most 1 GiB of RAM */"],
          ["#define", "KERNEL_LOAD_ADDR", hex(KERNEL_LOAD_ADDR), "/* where the Image is loaded; linker.ld links it at KERNBASE + this */"],
          ["#define", "DIRECT_MAP_SIZE", `${hex(DIRECT_MAP_SIZE)}UL`, "/* physical memory mapped at KERNBASE */"],
          ["#define", "BOOT_STACK_SIZE", "16384", "/* kmain's stack */"],
          ["#define", "BOOT_MAGIC", "0x52495343", "/* \"RISC\": kmain's magic from boot.S, whose info is the device tree's physical address */"],
          ["#define", "BOOT_PT_PAGES", `${BOOT_PT_PAGES}`, "/* page tables boot_map (vm.c) has for the image's 4 KiB pages: 8 MiB */"],
          ...userLayoutRows({
            limit: USER_LIMIT,
            limitIs: "the end of Sv39's lower half",
            linux: { stackTop: LINUX_STACK_TOP, mmapTop: LINUX_MMAP_TOP, mmapFloor: LINUX_MMAP_FLOOR },
            linuxAbi: false,
          }),
        ]),
      );
    });
  },
};
