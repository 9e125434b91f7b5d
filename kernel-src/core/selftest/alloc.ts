// Self-tests of the 3-level allocator (core/buddy.c, slab.c, tcache.c).
import { c } from "../../writer.ts";
import type { KernelConfig, SelfTest } from "./test.ts";

const buddy: SelfTest = {
  name: "alloc_buddy",
  includes: ["memlayout.h"],
  options: [],
  body: c`
    uint64 before = buddy_free_pages();
    uint8 *a = page_alloc(0), *b = page_alloc(3);
    if (a == NULL || b == NULL)
        return "page_alloc returned NULL";
    if (((uint64)a & (PGSIZE - 1)) != 0 || ((uint64)b & (8 * PGSIZE - 1)) != 0)
        return "a block is not aligned to its size";
    if (buddy_free_pages() != before - 9)
        return "free page count is off after two allocations";
    memset(b, 0xa5, 8 * PGSIZE);
    page_free(a, 0);
    page_free(b, 3);
    if (buddy_free_pages() != before)
        return "free page count is off after freeing";
    uint8 *c = page_alloc(10);
    if (c == NULL)
        return "no 4 MiB block: buddies did not merge";
    page_free(c, 10);
    detail_str("free pages ");
    detail_num(before);
  `,
};

const slab: SelfTest = {
  name: "alloc_slab",
  options: [],
  body: c`
    void *p[64];
    for (int i = 0; i < 64; i++) {
        p[i] = slab_alloc(1);
        if (p[i] == NULL || slab_class_of(p[i]) != 1 || ((uint64)p[i] & 31) != 0)
            return "a 32-byte object is missing, misaligned or in the wrong class";
        for (int j = 0; j < i; j++)
            if (p[j] == p[i])
                return "the same object was handed out twice";
    }
    for (int i = 0; i < 64; i++)
        slab_free(p[i]);
    if (slab_alloc(1) != p[63])
        return "a freed object was not reused first";
    slab_free(p[63]);
    if (kmalloc_class(16) != 0 || kmalloc_class(17) != 1 || kmalloc_class(2048) != 7)
        return "size classes are wrong";
  `,
};

function threadCache(objects: number): SelfTest {
  return {
    name: "alloc_thread_cache",
    options: ["kernel.allocator.threadCacheObjects"],
    declarations: [`#define EXO_TC_OBJECTS ${objects} /* kernel.allocator.threadCacheObjects */`],
    body: c`
      void *p[2 * EXO_TC_OBJECTS];
      uint32 cls = kmalloc_class(48);
      for (int i = 0; i < 2 * EXO_TC_OBJECTS; i++)
          if ((p[i] = kmalloc(48)) == NULL)
              return "kmalloc returned NULL";
      for (int i = 0; i < 2 * EXO_TC_OBJECTS; i++) {
          kfree(p[i]);
          if (tcache_count(cls) > EXO_TC_OBJECTS)
              return "the thread cache grew past kernel.allocator.threadCacheObjects";
      }
      void *q = kmalloc(48);
      if (q != p[2 * EXO_TC_OBJECTS - 1])
          return "the last object freed was not the first reused";
      kfree(q);
      detail_str("objects per class ");
      detail_num(EXO_TC_OBJECTS);
    `,
  };
}

/** The buddy pages and the slab always; the thread cache when there is one. */
export function allocTests(k: KernelConfig): SelfTest[] {
  const objects = k.allocator.threadCacheObjects;
  return [buddy, slab, ...(objects > 0 ? [threadCache(objects)] : [])];
}
