// include/cow.h: the riscv64 side of core/cow.c (copy-on-write for fork): the
// page frames it counts holders of (RAM's, RAM_BASE to RAM_MAX past it), the
// Sv39 tables it walks, and the PTE bits of a shared page (no PTE_W,
// PTE_COW: an RSW bit).
import { cowHeader } from "../../core/cow.ts";
import { c } from "../../writer.ts";

export const cow = cowHeader({
  source: "arch/riscv64/cow.ts",
  header: "riscv.h",
  defines: c`
    #define COW_RAM_START   RAM_BASE           /* the page frames core/cow.c counts holders of: from here ... */
    #define COW_FRAMES      (RAM_MAX / PGSIZE) /* ... every one the allocator can hand out */
    #define PT_LEVELS       3                  /* Sv39: root, middle, last level */
    #define PT_USER_ENTRIES 256                /* the root's lower half: user space */
    #define LEAF_FLAGS      0x3ffUL            /* a leaf entry's bits below the page number */
  `,
  valid: "(e & PTE_V) != 0",
  writable: "(e & PTE_W) != 0",
  cow: "(e & PTE_COW) != 0",
  share: "(e & (PTE_W | PTE_COW)) ? (e & ~(uint64)PTE_W) | PTE_COW : e",
  unshare: "PA2PTE(pa) | (e & LEAF_FLAGS & ~(uint64)PTE_COW) | PTE_W | PTE_D", // D: the hardware need not set it on the write
  tlb: { all: "sfence_vma();", page: "sfence_vma_page(va);" },
});
