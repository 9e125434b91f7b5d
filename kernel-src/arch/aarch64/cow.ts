// include/cow.h: the aarch64 side of core/cow.c (copy-on-write for fork): the
// page frames it counts holders of (RAM's, above RAM_BASE), the TTBR0 tables
// it walks, and the descriptor bits of a shared page (AP[2] read-only,
// PTE_COW_BIT: a software bit). The TLB operations are cpu.h's.
import { cowHeader } from "../../core/cow.ts";
import { c } from "../../writer.ts";

export const cow = cowHeader({
  source: "arch/aarch64/cow.ts",
  header: "cpu.h",
  defines: c`
    #define COW_RAM_START   RAM_BASE                                /* the page frames core/cow.c counts holders of: from here ... */
    #define COW_FRAMES      ((DIRECT_MAP_SIZE - RAM_BASE) / PGSIZE) /* ... every RAM one the allocator can hand out */
    #define PT_LEVELS       4                                       /* levels 0-3 of the 4 KiB granule */
    #define PT_USER_ENTRIES 512                                     /* TTBR0's whole root: user space */
  `,
  valid: "(e & PTE_VALID) != 0",
  writable: "(e & PTE_RDONLY) == 0",
  cow: "(e & PTE_COW_BIT) != 0",
  share: "((e & PTE_RDONLY) == 0 || (e & PTE_COW_BIT)) ? e | PTE_RDONLY | PTE_COW_BIT : e",
  unshare: "pa | ((e & ~PTE_ADDR(~0UL)) & ~(PTE_COW_BIT | PTE_RDONLY))",
});
