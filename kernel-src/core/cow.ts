// core/cow.c: copy-on-write for fork, the same on every port. A forked child
// gets its own page tables whose leaves name the parent's pages; a writable
// page becomes read-only and copy-on-write in both, and the first write to
// it (a page fault, or the kernel checking a user buffer it will write)
// copies it, unless no one else holds it any more. Each page frame counts
// its extra holders, so a shared page goes back to the buddy allocator only
// when its last holder unmaps it. The port's include/cow.h (its cow.ts)
// gives the page-table shape and the few bit operations, in neutral names.
import { emit, type Template } from "../template.ts";
import { c, functionLines } from "../writer.ts";

const source = "core/cow.ts";

/** What core/cow.c defines for the port's vm.c and the core: each port lists them in its defs.h group "core/cow.c". */
export const COW_DECLARATIONS: readonly string[] = ["int page_shared(uint64 pa);", "void user_page_put(uint64 pa);", "uint64 uvm_fork(uint64 src);", "int cow_fault(uint64 space, uint64 va);"];

export const cow: Template = {
  source,
  render() {
    const summary = "Copy-on-write address spaces for fork: shared page frames with holder counts, and the copy on the first write.";
    return emit({ source, path: "core/cow.c", summary, options: [] }, (w) => {
      w.c`
        #include "types.h"
        #include "memlayout.h"
        #include "defs.h"
        #include "cow.h"

        /* Holders of each page frame beyond the first: 0 for a page one address space owns alone. */
        static uint16 extra_holders[COW_FRAMES];

        /* The index of physical address pa in extra_holders (one below COW_RAM_START wraps past the end). */
        static uint64 frame_of(uint64 pa)
        {
            uint64 pfn = (pa - COW_RAM_START) / PGSIZE;
            if (pfn >= COW_FRAMES)
                panic("cow: a user page outside RAM's direct map");
            return pfn;
        }

        /* Whether the page at physical address pa is held by more than one address space. */
        int page_shared(uint64 pa)
        {
            return extra_holders[frame_of(pa)] != 0;
        }

        /* An address space lets go of the user page at physical address pa: freed when it was the last holder. */
        void user_page_put(uint64 pa)
        {
            uint64 pfn = frame_of(pa);
            if (extra_holders[pfn] > 0)
                extra_holders[pfn]--;
            else
                page_free(P2V(pa), 0);
        }

        /*
         * Share the pages under table, of the given level (0: a last-level table)
         * and mapping from va on, with address space dst: the first n entries, each
         * leaf made read-only and copy-on-write in both. -1 when memory is out.
         */
        static int fork_table(uint64 dst, uint64 *table, int level, uint64 n, uint64 va)
        {
            for (uint64 i = 0; i < n; i++) {
                uint64 *e = &table[i];
                if (!pte_valid(*e))
                    continue;
                uint64 at = va | (i << (PGSHIFT + 9 * level));
                if (level > 0) {
                    if (fork_table(dst, P2V(PTE_ADDR(*e)), level - 1, 512, at) != 0)
                        return -1;
                    continue;
                }
                uint64 *d = uvm_walk(dst, at, 1);
                if (d == NULL)
                    return -1;
                *e = pte_share(*e);
                *d = *e;
                extra_holders[frame_of(PTE_ADDR(*e))]++;
            }
            return 0;
        }

        /*
         * A copy of address space src for a forked child: every user page shared,
         * the writable ones read-only and copy-on-write in both. Returns the child's
         * root (physical), or 0 when memory is out (nothing is left changed but the
         * parent's pages marked copy-on-write, which only costs a fault).
         */
        uint64 uvm_fork(uint64 src)
        {
            uint64 dst = uvm_create();
            if (dst == 0)
                return 0;
            if (fork_table(dst, P2V(src), PT_LEVELS - 1, PT_USER_ENTRIES, 0) != 0) {
                uvm_free(dst);
                return 0;
            }
            tlb_flush_all(); /* the parent's writable pages are read-only now */
            return dst;
        }

        /*
         * The first write to the page at user address va of space since a fork:
         * copy it (or, when no one else holds it any more, just make it writable).
         * Returns 1 when va was such a page and is writable now, 0 when it is no
         * copy-on-write page, -1 when memory is out.
         */
        int cow_fault(uint64 space, uint64 va)
        {
            uint64 page = va & ~(PGSIZE - 1);
            uint64 *e = uvm_walk(space, page, 0);
            if (e == NULL || !pte_valid(*e) || !pte_cow(*e))
                return 0;
            uint64 pa = PTE_ADDR(*e);
            if (page_shared(pa)) {
                uint8 *copy = page_alloc(0);
                if (copy == NULL)
                    return -1;
                memcpy(copy, P2V(pa), PGSIZE);
                user_page_put(pa);
                pa = V2P(copy);
            }
            *e = pte_unshare(*e, pa);
            tlb_flush_page(page);
            return 1;
        }
      `;
    });
  },
};

/** What a port says of its page tables for core/cow.c: C expressions of a leaf entry `e` (and `pa`, a physical page). */
export interface CowPort {
  readonly source: string;
  /** The port's header of its page-table bits: "cpu.h". */
  readonly header: string;
  /** #define lines: COW_RAM_START and COW_FRAMES (the page frames whose holders are counted), PT_LEVELS, PT_USER_ENTRIES (the root's entries of user space), and what the expressions use. */
  readonly defines: string;
  readonly valid: string;
  readonly writable: string;
  readonly cow: string;
  /** A leaf fork shares: a writable (or copy-on-write) page made read-only and copy-on-write, anything else as it is. */
  readonly share: string;
  /** A copy-on-write leaf made the writable mapping of physical page pa. */
  readonly unshare: string;
  /** Drop every TLB entry of the current space, or the one of page `va`; absent when cpu.h has tlb_flush_all and tlb_flush_page. */
  readonly tlb?: { readonly all: string; readonly page: string };
}

/** The port's include/cow.h: its side of core/cow.c, each operation a static inline function of the port's expression. */
export function cowHeader(port: CowPort): Template {
  const fn = (signature: string, body: string): string[] => functionLines(`static inline ${signature} { ${body} }`);
  return {
    source: port.source,
    render() {
      const summary = "Copy-on-write's page-table operations for core/cow.c: which frames it counts, the tables' shape, a shared leaf's bits, the TLB.";
      return emit({ source: port.source, path: "include/cow.h", summary, options: [] }, (w) => {
        w.c`
          #pragma once

          #include "types.h"
          #include "${port.header}"
          #include "memlayout.h"

          ${port.defines}

          /* What a leaf entry says: mapped, writable, copy-on-write. */
          ${fn("int pte_valid(uint64 e)", `return ${port.valid};`)}
          ${fn("int pte_writable(uint64 e)", `return ${port.writable};`)}
          ${fn("int pte_cow(uint64 e)", `return ${port.cow};`)}

          /* A leaf fork shares: a writable (or copy-on-write) page becomes read-only and copy-on-write. */
          ${fn("uint64 pte_share(uint64 e)", `return ${port.share};`)}

          /* A copy-on-write leaf made the writable mapping of physical page pa. */
          ${fn("uint64 pte_unshare(uint64 e, uint64 pa)", `return ${port.unshare};`)}
        `;
        if (port.tlb !== undefined) {
          w.blank();
          w.comment("Drop every TLB entry of the current space, or one page's.");
          w.line(...fn("void tlb_flush_all(void)", port.tlb.all), ...fn("void tlb_flush_page(uint64 va)", port.tlb.page));
        }
      });
    },
  };
}
