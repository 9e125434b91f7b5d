// core/slab.c: the middle level of the allocator. Each CPU has one cache per
// size class (16 to 2048 bytes); a cache carves 16 KiB slabs from the buddy
// allocator into objects and keeps freed objects on a list. Without the
// thread cache (kernel.allocator.threadCacheObjects = 0) kmalloc lives here.
import type { KernelTemplateInput } from "../input.ts";
import { emit, type Template } from "../template.ts";

const source = "core/slab.ts";

export const slab: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    const direct = k.allocator.threadCacheObjects === 0;
    const summary = direct
      ? "Per-CPU slab caches of 16- to 2048-byte objects, and kmalloc/kfree on top of them (no thread cache)."
      : "Per-CPU slab caches of 16- to 2048-byte objects, refilled from the buddy allocator; the thread cache sits in front.";
    return emit({ source, path: "core/slab.c", summary, options: ["kernel.allocator.threadCacheObjects"] }, (w) => {
      w.line('#include "types.h"', '#include "arch.h"', '#include "memlayout.h"', '#include "thread.h"', '#include "defs.h"');
      w.blank();
      w.line(`#define NCPU 1                 /* one CPU for now; the caches are indexed by it already */
#define SLAB_HEADER 64         /* struct slab (include/thread.h), padded to a cache line */`);
      w.blank();
      w.c`
        struct object {
            struct object *next;
        };
      `;
      w.blank();
      w.c`
        struct kmem_cache {
            struct object *free;
            uint64 slabs;
        };
      `;
      w.line("static struct kmem_cache caches[NCPU][KMALLOC_CLASSES];");
      w.blank();
      w.c`
        static inline struct kmem_cache *cache(uint32 cls)
        {
            return &caches[0][cls];
        }
      `;
      w.blank();
      w.comment("The size class of a request: 0 for up to 16 bytes, 1 for 17-32, ...; the caller keeps size <= KMALLOC_MAX.");
      w.fn("uint32 kmalloc_class(uint64 size)", () => {
        w.comment("16 B is class 0; above, the class of size is the bit length of size - 1, less 4.");
        w.line("return size <= 16 ? 0 : (uint32)(60 - __builtin_clzl(size - 1));");
      });
      w.blank();
      w.comment("The class of an object from kmalloc, read from its slab's header.");
      w.fn("uint32 slab_class_of(void *p)", () => w.line("return slab_of(p)->cls;"));
      w.blank();
      w.comment("Carve a new slab into objects of class cls. Returns 0, or -1 when the buddy allocator is out of memory.");
      w.fn("static int grow(uint32 cls)", () => {
        w.line(`struct slab *s = page_alloc(SLAB_ORDER);
uint64 size = 16UL << cls;
if (s == NULL)
    return -1;
s->cls = cls;
s->objects = (uint32)((SLAB_BYTES - SLAB_HEADER) / size);
for (uint32 i = s->objects; i-- > 0;) {
    struct object *o = (struct object *)((uint8 *)s + SLAB_HEADER + i * size);
    o->next = cache(cls)->free;
    cache(cls)->free = o;
}
cache(cls)->slabs++;
return 0;`);
      });
      w.blank();
      w.comment("One object of class cls from this CPU's cache, or NULL. Interrupts are off meanwhile: the cache is per CPU, not per thread.");
      w.fn("void *slab_alloc(uint32 cls)", () => {
        w.line(`uint64 f = arch_irq_save();
struct object *o = cache(cls)->free;
if (o == NULL && grow(cls) == 0)
    o = cache(cls)->free;
if (o != NULL)
    cache(cls)->free = o->next;
arch_irq_restore(f);
return o;`);
      });
      w.blank();
      w.comment("Return an object to this CPU's cache of its class.");
      w.fn("void slab_free(void *p)", () => {
        w.line(`uint64 f = arch_irq_save();
struct object *o = p;
uint32 cls = slab_class_of(p);
o->next = cache(cls)->free;
cache(cls)->free = o;
arch_irq_restore(f);`);
      });
      if (direct) {
        w.blank();
        w.comment("Allocate size bytes (at most KMALLOC_MAX; bigger requests use page_alloc). Returns NULL when memory is out.");
        w.fn("void *kmalloc(uint64 size)", () => w.line("return size > KMALLOC_MAX ? NULL : slab_alloc(kmalloc_class(size));"));
        w.blank();
        w.fn("void kfree(void *p)", () => w.line("slab_free(p);"));
      }
    });
  },
};
