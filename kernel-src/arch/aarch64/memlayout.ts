// include/memlayout.h: where the aarch64 kernel sits in memory and where user
// processes live. The kernel's half is TTBR1's (the top 256 TiB): a direct map
// of physical 0..DIRECT_MAP_SIZE at KERNBASE, and the image linked at
// KIMAGE_BASE, mapped to wherever the loader put it (any 2 MiB boundary in the
// direct map's RAM; boot.S finds it PC-relatively and keeps it in kimage_phys).
// User space is TTBR0's, per process. The addresses are also exported for
// linker.ts and the port's userBase, so every file agrees on them.
import { emit, type Template } from "../../template.ts";
import { alignColumns } from "../../writer.ts";
import { directMap, layoutHead, LINUX_LAYOUT_47, userLayoutRows } from "../layout.ts";

export { PGSHIFT, PGSIZE, USER_BASE } from "../layout.ts";

const source = "arch/aarch64/memlayout.ts";

/** The start of TTBR1's range with T1SZ = 16: physical 0 is mapped here. */
export const KERNBASE = 0xffff000000000000n;
/** QEMU virt's RAM starts at 1 GiB; below it are flash and devices (GIC, PL011). */
export const RAM_BASE = 0x40000000;
/** Where QEMU's -kernel puts an Image with text_offset 0 (RAM base + 2 MiB): only the ELF's p_paddr says it; boot.S runs wherever it is. */
export const KERNEL_LOAD_ADDR = 0x40200000;
/** Virtual address the image is linked at: TTBR1's upper half (L0 entry 256), its own 2 MiB, apart from the direct map. */
export const KIMAGE_BASE = 0xffff800000000000n;
export const KERNEL_LINK_ADDR = KIMAGE_BASE;
/** Physical 0..2 GiB is direct-mapped: the first GiB as device memory (MMIO), the second as RAM. */
export const DIRECT_MAP_SIZE = 0x80000000;

/** The end of TTBR0's range with T0SZ = 16 (48-bit addresses). */
export const USER_LIMIT = 0x1000000000000;


const hex = (n: number | bigint): string => `0x${n.toString(16)}`;

export const memlayout: Template = {
  source,
  render() {
    const summary =
      "Memory layout: the kernel's half at KERNBASE (TTBR1; P2V/V2P between physical and kernel addresses), where the image is loaded, what the boot page tables map, how big the boot stack is, where user processes live (TTBR0).";
    return emit({ source, path: "include/memlayout.h", summary, options: [] }, (w) => {
      w.line("#pragma once");
      w.blank();
      layoutHead(
        w,
        "The kernel's half: physical 0..DIRECT_MAP_SIZE is mapped at KERNBASE through TTBR1, which every address space shares, and the image at KIMAGE_BASE; EL0 has no access to either.",
        [["KERNBASE", KERNBASE], ["KIMAGE_BASE", KIMAGE_BASE]],
      );
      // (KIMAGE_BASE), (KERNBASE) in parentheses: clang-format 14 takes `(uint64)(va)` for a cast before a bare `- K` and writes `(va)-K`.
      directMap(w, {
        declarations: ["/* Where the loader put the image (physical, 2 MiB-aligned): boot.S found it. */", "extern unsigned long kimage_phys;"],
        comment: ["A physical address's kernel (direct-map) address, and back. Only for the first", "DIRECT_MAP_SIZE; V2P also takes the image's own addresses (its code, data, bss)."],
        v2p: "((uint64)(va) >= KIMAGE_BASE ? (uint64)(va) - (KIMAGE_BASE) + kimage_phys : (uint64)(va) - (KERNBASE))",
      });
      w.blank();
      w.line(
        ...alignColumns([
          ["#define", "RAM_BASE", hex(RAM_BASE), "/* QEMU virt's RAM; below it, devices */"],
          ["#define", "KERNEL_LOAD_ADDR", hex(KERNEL_LOAD_ADDR), "/* where QEMU's -kernel puts the image (p_paddr); it runs anywhere */"],
          ["#define", "DIRECT_MAP_SIZE", hex(DIRECT_MAP_SIZE), "/* physical memory mapped at KERNBASE: devices below RAM_BASE (one 1 GiB block), then RAM ... */"],
          ["#define", "BOOT_PAGE_SIZE", "0x200000", "/* ... the RAM GiB in 2 MiB blocks, the image's in 4 KiB pages (at KIMAGE_BASE too) */"],
          ["#define", "BOOT_STACK_SIZE", "16384", "/* kmain's stack */"],
          ["#define", "BOOT_MAGIC_DTB", "0x64746230", "/* kmain's magic from boot.S: info is a device tree's physical address */"],
          ["#define", "UART_PHYS", "0x09000000", "/* QEMU virt's PL011 */"],
          ["#define", "GICD_PHYS", "0x08000000", "/* QEMU virt's GICv2 distributor ... */"],
          ["#define", "GICC_PHYS", "0x08010000", "/* ... and CPU interface */"],
          ...userLayoutRows({ limit: USER_LIMIT, limitIs: "the end of TTBR0's 48 bits", linux: LINUX_LAYOUT_47, linuxAbi: false }),
        ]),
      );
    });
  },
};
