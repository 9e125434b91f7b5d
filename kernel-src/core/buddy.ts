// core/buddy.c: the physical page allocator, a binary buddy system over the
// memory the loader reported free. Blocks of 2^order pages; a freed block
// merges with its buddy whenever that one is free too. It takes physical
// ranges (buddy_add_range) and hands out kernel addresses in the direct map
// at KERNBASE (P2V); page frame numbers are physical.
import { emit, type Template } from "../template.ts";

const source = "core/buddy.ts";

export const buddy: Template = {
  source,
  render() {
    const summary = "Buddy allocator of physical pages, handed out as direct-map kernel addresses: free lists per order, a bitmap of free block heads, merging on free.";
    return emit({ source, path: "core/buddy.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "arch.h"', '#include "memlayout.h"', '#include "defs.h"');
      w.blank();
      w.line(`#define MAX_ORDER 10                    /* largest block: 2^10 pages, 4 MiB */
#define MAX_PAGES (DIRECT_MAP_SIZE / PGSIZE) /* the direct map covers 1 GiB */`);
      w.blank();
      w.comment("A free block keeps its list links and order in its own first bytes.");
      w.c`
        struct block {
            struct block *next, *prev;
            uint32 order;
        };
      `;
      w.blank();
      w.line(
        "static struct block *free_list[MAX_ORDER + 1];",
        "static uint64 free_head[MAX_PAGES / 64]; /* bit n: page n heads a free block */",
        "static uint64 free_pages;",
      );
      w.blank();
      w.line(`static inline uint64 pfn(void *p)
{
    return V2P(p) / PGSIZE;
}
static inline int is_free_head(uint64 n)
{
    return (free_head[n / 64] >> (n % 64)) & 1;
}
static inline void set_free_head(uint64 n, int on)
{
    if (on)
        free_head[n / 64] |= 1UL << (n % 64);
    else
        free_head[n / 64] &= ~(1UL << (n % 64));
}`);
      w.blank();
      w.fn("static void push(struct block *b, uint32 order)", () => {
        w.line(`b->order = order;
b->prev = NULL;
b->next = free_list[order];
if (b->next != NULL)
    b->next->prev = b;
free_list[order] = b;
set_free_head(pfn(b), 1);`);
      });
      w.blank();
      w.fn("static void unlink(struct block *b)", () => {
        w.line(`if (b->prev != NULL)
    b->prev->next = b->next;
else
    free_list[b->order] = b->next;
if (b->next != NULL)
    b->next->prev = b->prev;
set_free_head(pfn(b), 0);`);
      });
      w.blank();
      w.comment("Allocate 2^order contiguous pages, physically aligned to their size: their kernel address, or NULL when no block is big enough.");
      w.fn("void *page_alloc(uint32 order)", () => {
        w.line(`uint64 f = arch_irq_save();
uint32 o = order;
while (o <= MAX_ORDER && free_list[o] == NULL)
    o++;
if (o > MAX_ORDER) {
    arch_irq_restore(f);
    return NULL;
}
struct block *b = free_list[o];
unlink(b);
while (o > order) { /* split: the upper half goes back on the list below */
    o--;
    push((struct block *)((uint8 *)b + (PGSIZE << o)), o);
}
free_pages -= 1UL << order;
arch_irq_restore(f);
return b;`);
      });
      w.blank();
      w.comment("Free 2^order pages from page_alloc(order), merging with the buddy while it is a free block of the same order.");
      w.fn("void page_free(void *p, uint32 order)", () => {
        w.line(`uint64 f = arch_irq_save();
uint64 n = pfn(p);
free_pages += 1UL << order;
while (order < MAX_ORDER) {
    uint64 buddy = n ^ (1UL << order);
    struct block *b = P2V(buddy * PGSIZE);
    if (buddy >= MAX_PAGES || !is_free_head(buddy) || b->order != order)
        break;
    unlink(b);
    n &= ~(1UL << order);
    order++;
}
push(P2V(n * PGSIZE), order);
arch_irq_restore(f);`);
      });
      w.blank();
      w.comment("Give physical [start, end) to the allocator as the largest aligned blocks that fit (memmap.c calls this).");
      w.fn("void buddy_add_range(uint64 start, uint64 end)", () => {
        w.line(`start = (start + PGSIZE - 1) & ~(PGSIZE - 1);
end &= ~(PGSIZE - 1);
while (start < end) {
    uint32 order = 0;
    while (order < MAX_ORDER && (start & ((PGSIZE << (order + 1)) - 1)) == 0 && start + (PGSIZE << (order + 1)) <= end)
        order++;
    page_free(P2V(start), order);
    start += PGSIZE << order;
}`);
      });
      w.blank();
      w.fn("uint64 buddy_free_pages(void)", () => w.line("return free_pages;"));
    });
  },
};
