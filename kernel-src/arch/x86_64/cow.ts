// arch/x86_64/cow.c: copy-on-write for fork. A forked child gets its own
// page tables whose leaves name the parent's pages; a writable page becomes
// read-only with PTE_COW in both, and the first write to it (a page fault, or
// the kernel checking a user buffer it will write) copies it, unless no one
// else holds it any more. Each page frame counts its extra holders, so a
// shared page goes back to the buddy allocator only when its last holder
// unmaps it.
import { emit, type Template } from "../../template.ts";

const source = "arch/x86_64/cow.ts";

export const cow: Template = {
  source,
  render() {
    const summary = "Copy-on-write address spaces for fork: shared page frames with holder counts, and the copy on the first write.";
    return emit({ source, path: "arch/x86_64/cow.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "cpu.h"', '#include "memlayout.h"', '#include "defs.h"');
      w.blank();
      w.line(
        "#define COW_FRAMES (DIRECT_MAP_SIZE / 4096) /* every page frame the allocator can hand out */",
        "#define LEAF_FLAGS 0x8000000000000fffUL      /* NX and bits 0-11 of a leaf entry */",
      );
      w.blank();
      w.comment("Holders of each page frame beyond the first: 0 for a page one address space owns alone.");
      w.line("static uint16 extra_holders[COW_FRAMES];");
      w.blank();
      w.fn("static uint64 frame_of(uint64 pa)", () => {
        w.line(`uint64 pfn = pa / 4096;
if (pfn >= COW_FRAMES)
    panic("cow: a user page outside the direct map");
return pfn;`);
      });
      w.blank();
      w.comment("Whether the page at physical address pa is held by more than one address space.");
      w.fn("int page_shared(uint64 pa)", () => w.line("return extra_holders[frame_of(pa)] != 0;"));
      w.blank();
      w.comment("An address space lets go of the user page at physical address pa: freed when it was the last holder.");
      w.fn("void user_page_put(uint64 pa)", () => {
        w.line(`uint64 pfn = frame_of(pa);
if (extra_holders[pfn] > 0)
    extra_holders[pfn]--;
else
    page_free(P2V(pa), 0);`);
      });
      w.blank();
      w.comment(
        "A copy of address space src for a forked child: every user page shared,",
        "the writable ones read-only and PTE_COW in both. Returns the child's PML4",
        "(physical), or 0 when memory is out (nothing is left changed but the",
        "parent's pages marked PTE_COW, which only costs a fault).",
      );
      w.fn("uint64 uvm_fork(uint64 src)", () => {
        w.line(`uint64 dst = uvm_create();
if (dst == 0)
    return 0;
uint64 *l4 = P2V(src);
for (uint64 i = 0; i < 256; i++) {
    if (!(l4[i] & PTE_P))
        continue;
    uint64 *l3 = P2V(PTE_ADDR(l4[i]));
    for (uint64 j = 0; j < 512; j++) {
        if (!(l3[j] & PTE_P))
            continue;
        uint64 *l2 = P2V(PTE_ADDR(l3[j]));
        for (uint64 k = 0; k < 512; k++) {
            if (!(l2[k] & PTE_P))
                continue;
            uint64 *l1 = P2V(PTE_ADDR(l2[k]));
            for (uint64 m = 0; m < 512; m++) {
                uint64 *e = &l1[m];
                if (!(*e & PTE_P))
                    continue;
                uint64 va = (i << 39) | (j << 30) | (k << 21) | (m << 12);
                uint64 *d = uvm_walk(dst, va, 1);
                if (d == NULL) {
                    uvm_free(dst);
                    return 0;
                }
                if (*e & (PTE_W | PTE_COW))
                    *e = (*e & ~PTE_W) | PTE_COW;
                *d = *e;
                extra_holders[frame_of(PTE_ADDR(*e))]++;
            }
        }
    }
}
write_cr3(read_cr3()); /* the parent's writable pages are read-only now: drop their TLB entries */
return dst;`);
      });
      w.blank();
      w.comment(
        "The first write to the page at user address va of pml4 since a fork:",
        "copy it (or, when no one else holds it any more, just make it writable).",
        "Returns 1 when va was such a page and is writable now, 0 when it is no",
        "copy-on-write page, -1 when memory is out.",
      );
      w.fn("int cow_fault(uint64 pml4, uint64 va)", () => {
        w.line(`uint64 *e = uvm_walk(pml4, va & ~0xfffUL, 0);
if (e == NULL || (*e & (PTE_P | PTE_COW)) != (PTE_P | PTE_COW))
    return 0;
uint64 pa = PTE_ADDR(*e), flags = (*e & LEAF_FLAGS & ~PTE_COW) | PTE_W;
if (page_shared(pa)) {
    uint8 *copy = page_alloc(0);
    if (copy == NULL)
        return -1;
    memcpy(copy, P2V(pa), 4096);
    user_page_put(pa);
    pa = V2P(copy);
}
*e = pa | flags;
__asm__ volatile("invlpg (%0)" : : "r"(va & ~0xfffUL) : "memory");
return 1;`);
      });
    });
  },
};
