// arch/riscv64/memmap.c: what boot.S hands kmain (BOOT_MAGIC and the device
// tree's physical address), read for the core: the loader's name, the initrd
// (/chosen, through core/fdt.c), the timebase (/cpus timebase-frequency, for
// timebase_per_us) and the memory (/memory), whose every page goes to the buddy
// allocator except what lies below the image (OpenSBI's), the image itself,
// the device tree and the initrd.
import { emit, type Template } from "../../template.ts";

const source = "arch/riscv64/memmap.ts";

export const memmap: Template = {
  source,
  render() {
    const summary = "The device tree OpenSBI handed over: the loader's name, the initrd, the timebase, and RAM minus the firmware, the image, the device tree and the initrd, handed to the buddy allocator.";
    return emit({ source, path: "arch/riscv64/memmap.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "memlayout.h"', '#include "arch.h"', '#include "defs.h"');
      w.blank();
      w.c`
        #define MAX_MEMORY 8   /* /memory ranges read */
        #define MAX_RESERVED 4 /* the image, the device tree, the initrd */

        extern char __image_start[], __image_end[];
        static uint32 regions;
        static struct {
            uint64 start, end;
        } reserved[MAX_RESERVED];
        static uint32 nreserved;

        /* The device tree at physical address info, as a kernel address, or NULL when there is none or it is broken. */
        static const uint8 *device_tree(uint32 magic, uint64 info)
        {
            if (magic != BOOT_MAGIC || info == 0 || info >= DIRECT_MAP_SIZE || !fdt_check(P2V(info)))
                return NULL;
            return P2V(info);
        }

        const char *arch_loader_name(uint32 magic)
        {
            return magic == BOOT_MAGIC ? "riscv image (device tree)" : "unknown";
        }

        int arch_boot_module(uint32 magic, uint64 info, const uint8 **start, uint64 *len)
        {
            const uint8 *fdt = device_tree(magic, info);
            uint64 s, e;
            if (fdt == NULL || !fdt_initrd(fdt, &s, &e) || e <= s || e > DIRECT_MAP_SIZE)
                return 0;
            *start = P2V(s);
            *len = e - s;
            return 1;
        }

        static uint32 be32(const uint8 *p)
        {
            return ((uint32)p[0] << 24) | ((uint32)p[1] << 16) | ((uint32)p[2] << 8) | p[3];
        }

        /*
         * /cpus's timebase-frequency (the time CSR's rate; a cpu node may hold it
         * instead), or 0. A walk of the structure block, every read checked
         * against the sizes fdt_check vouched for.
         */
        static uint64 timebase_hz(const uint8 *fdt)
        {
            uint32 size = be32(fdt + 4), off = be32(fdt + 8), strings = be32(fdt + 12), end = off + be32(fdt + 36);
            int depth = 0, in_cpus = 0;
            if (off > size || end > size || end < off || strings > size)
                return 0;
            while (off + 4 <= end) {
                uint32 token = be32(fdt + off);
                off += 4;
                if (token == 1) { /* FDT_BEGIN_NODE: its name, NUL-terminated, padded to 4 */
                    const char *name = (const char *)fdt + off;
                    uint32 n = 0;
                    while (off + n < end && name[n] != 0)
                        n++;
                    if (off + n >= end)
                        return 0;
                    depth++;
                    if (depth == 2 && n == 4 && memcmp(name, "cpus", 4) == 0)
                        in_cpus = 1;
                    off += (n + 4) & ~3u;
                } else if (token == 2) { /* FDT_END_NODE */
                    if (depth == 2)
                        in_cpus = 0;
                    depth--;
                } else if (token == 3) { /* FDT_PROP: length, name offset, value */
                    if (off + 8 > end)
                        return 0;
                    uint32 len = be32(fdt + off), name = be32(fdt + off + 4);
                    off += 8;
                    if (len > end - off)
                        return 0;
                    if (in_cpus && len == 4 && strings + name + 19 <= size && memcmp(fdt + strings + name, "timebase-frequency", 19) == 0)
                        return be32(fdt + off);
                    off += (len + 3) & ~3u;
                } else if (token != 4) { /* FDT_NOP goes on; FDT_END or anything else stops */
                    return 0;
                }
            }
            return 0;
        }

        static void reserve(uint64 start, uint64 end)
        {
            if (nreserved < MAX_RESERVED && start < end) {
                reserved[nreserved].start = start & ~(uint64)(PGSIZE - 1);
                reserved[nreserved].end = (end + PGSIZE - 1) & ~(uint64)(PGSIZE - 1);
                nreserved++;
            }
        }

        /* Free [start, end) except the reserved ranges from index i on, splitting around each. */
        static void add_free(uint64 start, uint64 end, uint32 i)
        {
            for (; i < nreserved; i++) {
                uint64 rs = reserved[i].start, re = reserved[i].end;
                if (re <= start || rs >= end)
                    continue;
                if (start < rs)
                    add_free(start, rs, i + 1);
                if (re < end)
                    add_free(re, end, i + 1);
                return;
            }
            buddy_add_range(start, end);
        }

        /* Clip a /memory range to what the kernel uses (from the image, which OpenSBI's firmware lies below, to RAM_BASE + RAM_MAX) and free it. */
        static void add_region(uint64 base, uint64 len)
        {
            uint64 low = V2P(__image_start), high = RAM_BASE + RAM_MAX;
            uint64 start = base < low ? low : base;
            uint64 end = len > high - base || base > high ? high : base + len;
            start = (start + PGSIZE - 1) & ~(uint64)(PGSIZE - 1);
            end &= ~(uint64)(PGSIZE - 1);
            if (start >= end)
                return;
            regions++;
            add_free(start, end, 0);
        }

        /* Hand the device tree's memory to the buddy allocator and read the timebase; panics without a device tree. */
        void arch_memory_init(uint32 magic, uint64 info)
        {
            const uint8 *fdt = device_tree(magic, info);
            uint64 base[MAX_MEMORY], size[MAX_MEMORY], s, e;
            if (fdt == NULL)
                panic("memory: no device tree from the loader");
            uint64 hz = timebase_hz(fdt);
            if (hz >= 1000000)
                timebase_per_us = hz / 1000000;
            reserve(V2P(__image_start), V2P(__image_end));
            reserve(info, info + fdt_size(fdt));
            if (fdt_initrd(fdt, &s, &e))
                reserve(s, e);
            int n = fdt_memory(fdt, base, size, MAX_MEMORY);
            if (n <= 0)
                panic("memory: the device tree has no /memory");
            for (int i = 0; i < n; i++)
                add_region(base[i], size[i]);
            uint32 image_kib = (uint32)(((uint64)__image_end - (uint64)__image_start) >> 10);
            kprintf("exo: memory: %u KiB free in %u regions, kernel image %u KiB, timebase %u Hz\n", (uint32)(buddy_free_pages() * 4), regions, image_kib, (uint32)hz);
        }
      `;
    });
  },
};
