// core/fdt.c: the few things a kernel reads from a flattened device tree
// (devicetree.org specification v0.4, chapter 5): the memory ranges and the
// initrd the loader placed. Ports whose loader hands over a device tree
// (aarch64, riscv64) call it; it trusts nothing in the blob: every offset is
// checked against the blob's own size before it is read.
import { emit, type Template } from "../template.ts";

const source = "core/fdt.ts";

export const fdt: Template = {
  source,
  render() {
    const summary = "A bounds-checked flattened device tree reader: /memory ranges and /chosen's initrd.";
    return emit({ source, path: "core/fdt.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "defs.h"');
      w.blank();
      w.c`
        #define FDT_MAGIC 0xd00dfeed
        #define FDT_BEGIN_NODE 1
        #define FDT_END_NODE 2
        #define FDT_PROP 3
        #define FDT_NOP 4
        #define FDT_END 9
        #define FDT_MAX_DEPTH 8

        /* Big-endian 32-bit word at p (device trees are big-endian, unaligned reads avoided). */
        static uint32 be32(const uint8 *p)
        {
            return ((uint32)p[0] << 24) | ((uint32)p[1] << 16) | ((uint32)p[2] << 8) | p[3];
        }

        /* A value of cells 32-bit words (1 or 2) at p. */
        static uint64 cells_value(const uint8 *p, uint32 cells)
        {
            return cells == 2 ? ((uint64)be32(p) << 32) | be32(p + 4) : be32(p);
        }

        int fdt_check(const void *fdt)
        {
            const uint8 *h = fdt;
            return fdt != NULL && be32(h) == FDT_MAGIC && be32(h + 20) >= 16 && be32(h + 4) >= 40 && be32(h + 4) <= (64u << 20);
        }

        uint64 fdt_size(const void *fdt)
        {
            return be32((const uint8 *)fdt + 4);
        }

        /* What a walk collects: the root's cell sizes, the memory ranges, /chosen's initrd. */
        struct fdt_walk {
            uint32 addr_cells, size_cells;
            uint64 *base, *size;
            int count, max;
            uint64 initrd_start, initrd_end;
            int initrd_found;
        };

        /* A node name without its unit address: "memory@40000000" is "memory". */
        static int name_is(const char *name, const char *want)
        {
            while (*want != '\0' && *name == *want) {
                name++;
                want++;
            }
            return *want == '\0' && (*name == '\0' || *name == '@');
        }

        static int str_eq(const char *a, const char *b)
        {
            while (*a != '\0' && *a == *b) {
                a++;
                b++;
            }
            return *a == *b;
        }

        /* One property of a node at depth (1: a child of the root), given its node's name. */
        static void take_prop(struct fdt_walk *wk, int depth, const char *node, const char *prop, const uint8 *val, uint32 len)
        {
            if (depth == 0 && str_eq(prop, "#address-cells") && len == 4)
                wk->addr_cells = be32(val);
            else if (depth == 0 && str_eq(prop, "#size-cells") && len == 4)
                wk->size_cells = be32(val);
            else if (depth == 1 && name_is(node, "memory") && str_eq(prop, "reg")) {
                uint32 entry = 4 * (wk->addr_cells + wk->size_cells);
                if (wk->addr_cells < 1 || wk->addr_cells > 2 || wk->size_cells < 1 || wk->size_cells > 2)
                    return;
                for (uint32 off = 0; off + entry <= len && wk->count < wk->max; off += entry) {
                    wk->base[wk->count] = cells_value(val + off, wk->addr_cells);
                    wk->size[wk->count] = cells_value(val + off + 4 * wk->addr_cells, wk->size_cells);
                    wk->count++;
                }
            } else if (depth == 1 && name_is(node, "chosen") && (len == 4 || len == 8)) {
                if (str_eq(prop, "linux,initrd-start")) {
                    wk->initrd_start = cells_value(val, len / 4);
                    wk->initrd_found |= 1;
                } else if (str_eq(prop, "linux,initrd-end")) {
                    wk->initrd_end = cells_value(val, len / 4);
                    wk->initrd_found |= 2;
                }
            }
        }

        /* Walk the structure block once; 0 if it is malformed (then nothing it found is used). */
        static int fdt_walk(const void *fdt, struct fdt_walk *wk)
        {
            const uint8 *h = fdt;
            uint64 total = be32(h + 4), off_struct = be32(h + 8), off_strings = be32(h + 12);
            uint64 size_strings = be32(h + 32), size_struct = be32(h + 36);
            if (off_struct + size_struct > total || off_strings + size_strings > total)
                return 0;
            const uint8 *p = h + off_struct, *end = p + size_struct;
            const char *names[FDT_MAX_DEPTH];
            int depth = -1;
            wk->addr_cells = 2;
            wk->size_cells = 1;
            while (p + 4 <= end) {
                uint32 token = be32(p);
                p += 4;
                if (token == FDT_BEGIN_NODE) {
                    const char *name = (const char *)p;
                    while (p < end && *p != '\0')
                        p++;
                    if (p >= end)
                        return 0;
                    p = (const uint8 *)(((uint64)p + 4) & ~3UL); /* past the NUL, to a word */
                    if (++depth < FDT_MAX_DEPTH)
                        names[depth] = name;
                } else if (token == FDT_END_NODE) {
                    if (--depth < -1)
                        return 0;
                } else if (token == FDT_PROP) {
                    if (p + 8 > end)
                        return 0;
                    uint32 len = be32(p), nameoff = be32(p + 4);
                    const uint8 *val = p + 8;
                    if (len > (uint64)(end - val) || nameoff >= size_strings)
                        return 0;
                    const char *prop = (const char *)h + off_strings + nameoff;
                    if (depth >= 0 && depth < FDT_MAX_DEPTH)
                        take_prop(wk, depth, names[depth], prop, val, len);
                    p = val + ((len + 3) & ~3u);
                } else if (token == FDT_END) {
                    return 1;
                } else if (token != FDT_NOP) {
                    return 0;
                }
            }
            return 0;
        }

        int fdt_memory(const void *fdt, uint64 *base, uint64 *size, int max)
        {
            struct fdt_walk wk = { .base = base, .size = size, .max = max };
            return fdt_check(fdt) && fdt_walk(fdt, &wk) ? wk.count : 0;
        }

        int fdt_initrd(const void *fdt, uint64 *start, uint64 *end)
        {
            uint64 none = 0;
            struct fdt_walk wk = { .base = &none, .size = &none, .max = 0 };
            if (!fdt_check(fdt) || !fdt_walk(fdt, &wk) || wk.initrd_found != 3 || wk.initrd_end < wk.initrd_start)
                return 0;
            *start = wk.initrd_start;
            *end = wk.initrd_end;
            return 1;
        }
      `;
    });
  },
};
