// core/tcache.c: the front of the 3-level allocator. Each thread keeps up to
// kernel.allocator.threadCacheObjects free objects per size class; kmalloc and
// kfree touch only the current thread's lists, without locks or turning
// interrupts off, and go to the per-CPU slab only to refill or drain half.
// Absent when kernel.allocator.threadCacheObjects is 0.
import type { KernelTemplateInput } from "../input.ts";
import { emit, type Template } from "../template.ts";

const source = "core/tcache.ts";

export const tcache: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    if (k.allocator.threadCacheObjects === 0) return undefined;
    const summary = "kmalloc/kfree through per-thread caches of free objects, refilled from and drained to the per-CPU slabs.";
    return emit({ source, path: "core/tcache.c", summary, options: ["kernel.allocator.threadCacheObjects"] }, (w) => {
      w.line('#include "types.h"', '#include "alloc_param.h"', '#include "thread.h"', '#include "defs.h"');
      w.blank();
      w.line("#define TC_MAX EXO_ALLOC_THREAD_CACHE_OBJECTS", "#define TC_BATCH ((TC_MAX + 1) / 2) /* moved at once between thread and slab */");
      w.line('_Static_assert(TC_MAX == TCACHE_MAX, "include/thread.h\'s inline kfree fills a list to kernel.allocator.threadCacheObjects");');
      w.c`
        struct object {
            struct object *next;
        };
      `;
      w.blank();
      w.comment("Take TC_BATCH objects from the slab into t's list of class cls. Returns how many came.");
      w.fn("static uint32 refill(struct tcache *tc, uint32 cls)", () => {
        w.line(`uint32 n = 0;
for (; n < TC_BATCH; n++) {
    struct object *o = slab_alloc(cls);
    if (o == NULL)
        break;
    o->next = tc->head[cls];
    tc->head[cls] = o;
}
tc->count[cls] += n;
return n;`);
      });
      w.blank();
      w.comment("Give n objects of class cls back to the slab.");
      w.fn("static void drain(struct tcache *tc, uint32 cls, uint32 n)", () => {
        w.line(`while (n-- > 0 && tc->head[cls] != NULL) {
    struct object *o = tc->head[cls];
    tc->head[cls] = o->next;
    tc->count[cls]--;
    slab_free(o);
}`);
      });
      w.blank();
      w.comment("kmalloc's slow path (its fast one is inline, include/thread.h): the list of class cls is empty, so refill it from the slab, then pop. NULL when memory is out.");
      w.fn("void *tcache_refill(uint32 cls)", () => {
        w.line(`struct tcache *tc = &curthread->tc;
struct object *o;
if (refill(tc, cls) == 0)
    return NULL;
o = tc->head[cls];
tc->head[cls] = o->next;
tc->count[cls]--;
return o;`);
      });
      w.blank();
      w.comment("kfree's slow path: the list of class cls is full, so drain half of it to the slab, then push p.");
      w.fn("void tcache_drain(void *p, uint32 cls)", () => {
        w.line(`struct tcache *tc = &curthread->tc;
struct object *o = p;
drain(tc, cls, TC_BATCH);
o->next = tc->head[cls];
tc->head[cls] = o;
tc->count[cls]++;`);
      });
      w.blank();
      w.comment("A thread is exiting: everything it cached goes back to the slab.");
      w.fn("void tcache_flush(struct thread *t)", () => {
        w.line("for (uint32 cls = 0; cls < KMALLOC_CLASSES; cls++)").indent(() => w.line("drain(&t->tc, cls, t->tc.count[cls]);"));
      });
      w.blank();
      w.comment("Objects of class cls the current thread holds (for the self-tests).");
      w.fn("uint32 tcache_count(uint32 cls)", () => w.line("return curthread->tc.count[cls];"));
    });
  },
};
