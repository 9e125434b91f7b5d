// include/cow.h: the x86_64 side of core/cow.c (copy-on-write for fork): the
// page frames it counts holders of, the 4-level tables it walks, and the PTE
// bits of a shared page (no PTE_W, PTE_COW: available bit 9).
import { cowHeader } from "../../core/cow.ts";
import { c } from "../../writer.ts";

export const cow = cowHeader({
  source: "arch/x86_64/cow.ts",
  header: "cpu.h",
  defines: c`
    #define COW_RAM_START   0UL                        /* the page frames core/cow.c counts holders of: from here ... */
    #define COW_FRAMES      (DIRECT_MAP_SIZE / PGSIZE) /* ... every one the allocator can hand out */
    #define PT_LEVELS       4                          /* PML4, PDPT, page directory, page table */
    #define PT_USER_ENTRIES 256                        /* the PML4's lower half: user space */
    #define LEAF_FLAGS      0x8000000000000fffUL       /* NX and bits 0-11 of a leaf entry */
  `,
  valid: "(e & PTE_P) != 0",
  writable: "(e & PTE_W) != 0",
  cow: "(e & PTE_COW) != 0",
  share: "(e & (PTE_W | PTE_COW)) ? (e & ~PTE_W) | PTE_COW : e",
  unshare: "pa | (e & LEAF_FLAGS & ~PTE_COW) | PTE_W",
  tlb: { all: "write_cr3(read_cr3());", page: '__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");' },
});
