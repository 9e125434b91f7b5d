// arch/x86_64/memmap.c: what the loader (Multiboot v1 or Multiboot2) hands
// kmain, read for the core: its name, the first boot module (the initrd,
// arch_boot_module) and the memory map, whose every usable page goes to the
// buddy allocator except the first MiB (BIOS, the loader's tables), the
// kernel image, the loader's info block and the boot modules. Everything the
// loader gives is a physical address, read through the direct map (P2V).
import { emit, type Template } from "../../template.ts";
import type { Writer } from "../../writer.ts";

const source = "arch/x86_64/memmap.ts";

/** arch_boot_module: the first module in either protocol's info. */
function bootModule(w: Writer): void {
  w.comment(
    "The first boot module the loader passed: 1 with *start (its kernel address)",
    "and *len set, or 0 when there is none. info and the addresses in it are",
    "physical; loaders place modules in the first GiB, the direct map's.",
  );
  w.fn("int arch_boot_module(uint32 magic, uint64 info, const uint8 **start, uint64 *len)", () => {
    w.block("if (magic == MB1_LOADER_MAGIC) {", () => {
      w.line("const uint32 *mb = P2V(info);");
      w.line("if (!(mb[0] & MB1_INFO_MODS) || mb[5] == 0)").indent(() => w.line("return 0;"));
      w.line("const uint32 *mod = P2V(mb[6]);");
      w.line("*start = P2V(mod[0]);", "*len = (uint64)(mod[1] - mod[0]);");
      w.line("return 1;");
    });
    w.block("if (magic == MB2_LOADER_MAGIC) {", () => {
      w.line("const uint8 *mb = P2V(info);", "uint32 total = *(const uint32 *)mb;");
      w.block("for (uint64 at = 8; at + 8 <= total;) {", () => {
        w.line("const uint32 *tag = (const uint32 *)(mb + at);");
        w.line("if (tag[0] == MB2_TAG_END)").indent(() => w.line("break;"));
        w.block("if (tag[0] == MB2_TAG_MODULE) {", () => {
          w.line("*start = P2V(tag[2]);", "*len = (uint64)(tag[3] - tag[2]);");
          w.line("return 1;");
        });
        w.line("at += (tag[1] + 7) & ~7u;");
      });
    });
    w.line("return 0;");
  });
}

/** arch_loader_name: the protocol, from the magic value the loader left in EAX. */
function loaderName(w: Writer): void {
  w.comment("Name the boot protocol from the magic value the loader left in EAX.");
  w.fn("const char *arch_loader_name(uint32 magic)", () => {
    w.line("switch (magic) {");
    w.line("case MB1_LOADER_MAGIC:").indent(() => w.line('return "multiboot1";'));
    w.line("case MB2_LOADER_MAGIC:").indent(() => w.line('return "multiboot2";'));
    w.line("default:").indent(() => w.line('return "unknown";'));
    w.line("}");
  });
}

export const memmap: Template = {
  source,
  render() {
    const summary = "The Multiboot v1/v2 loader's name, first boot module and memory map: usable RAM above 1 MiB, minus the kernel image, the loader's info and the boot modules, handed to the buddy allocator.";
    return emit({ source, path: "arch/x86_64/memmap.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "memlayout.h"', '#include "multiboot.h"', '#include "arch.h"');
      w.blank();
      w.line(`#define MB1_INFO_MMAP 0x40  /* flags bit: mmap_length/mmap_addr are valid */
#define MB1_INFO_MODS 0x08 /* flags bit: mods_count/mods_addr are valid */
#define MB2_TAG_MODULE 3 /* a tag: type, size, mod_start, mod_end */
#define MB2_TAG_MMAP 6
#define MMAP_AVAILABLE 1
#define LOW_LIMIT 0x100000UL      /* below: BIOS data and the loader's structures */
#define HIGH_LIMIT DIRECT_MAP_SIZE /* above: outside the direct map at KERNBASE */`);
      w.blank();
      w.line("extern char __image_start[], __bss_end[];", "static uint32 regions;");
      w.blank();
      w.comment("The loader's structures hold physical addresses: read them through the direct map.");
      w.line("#define RD32(pa) (*(const uint32 *)P2V(pa))", "#define RD64(pa) (*(const uint64 *)P2V(pa))");
      w.blank();
      w.comment(
        "Memory that must outlive the map: the kernel image, the loader's info",
        "block and the boot modules (the initrd), which are read after the",
        "allocator starts handing out pages.",
      );
      w.c`
        #define MAX_RESERVED 10
        static struct {
            uint64 start, end;
        } reserved[MAX_RESERVED];
        static uint32 nreserved;
      `;
      w.blank();
      w.fn("static void reserve(uint64 start, uint64 end)", () => {
        w.line("if (nreserved < MAX_RESERVED && start < end) {").indent(() => {
          w.line("reserved[nreserved].start = start & ~(PGSIZE - 1);", "reserved[nreserved].end = (end + PGSIZE - 1) & ~(PGSIZE - 1);", "nreserved++;");
        });
        w.line("}");
      });
      w.blank();
      w.comment("Free [start, end) except the reserved ranges from index i on, splitting around each.");
      w.fn("static void add_free(uint64 start, uint64 end, uint32 i)", () => {
        w.line(`for (; i < nreserved; i++) {
    uint64 rs = reserved[i].start, re = reserved[i].end;
    if (re <= start || rs >= end)
        continue;
    if (start < rs)
        add_free(start, rs, i + 1);
    if (re < end)
        add_free(re, end, i + 1);
    return;
}
buddy_add_range(start, end);`);
      });
      w.blank();
      w.comment("Clip [base, base+len) to the mapped usable window and free it, reserved ranges excepted.");
      w.fn("static void add_region(uint64 base, uint64 len)", () => {
        w.line(`uint64 start = base < LOW_LIMIT ? LOW_LIMIT : base;
uint64 end = base + len > HIGH_LIMIT ? HIGH_LIMIT : base + len;
if (start >= end)
    return;
regions++;
add_free(start, end, 0);`);
      });
      w.blank();
      w.comment("Multiboot v1 info: 120 bytes; flags bit 3 says mods_count (offset 20) and mods_addr (24) hold 16-byte module entries.");
      w.fn("static void mb1_reserve(uint64 info)", () => {
        w.line(`uint32 flags = RD32(info);
reserve(info, info + 120);
if ((flags & MB1_INFO_MODS) == 0)
    return;
uint32 count = RD32(info + 20);
uint64 mods = RD32(info + 24);
reserve(mods, mods + 16UL * count);
for (uint32 i = 0; i < count; i++)
    reserve(RD32(mods + 16 * i), RD32(mods + 16 * i + 4));`);
      });
      w.blank();
      w.comment("Multiboot2 info: the whole tag list, and each module tag's [mod_start, mod_end).");
      w.fn("static void mb2_reserve(uint64 info)", () => {
        w.line(`uint64 p = info + 8, end = info + RD32(info);
reserve(info, end);
while (p < end) {
    uint32 type = RD32(p), size = RD32(p + 4);
    if (type == MB2_TAG_END)
        break;
    if (type == MB2_TAG_MODULE)
        reserve(RD32(p + 8), RD32(p + 12));
    p += (size + 7) & ~7UL;
}`);
      });
      w.blank();
      w.comment("Multiboot v1: entries of {size, addr, len, type}, each followed by size bytes after the size field.");
      w.fn("static int mb1_map(uint64 info)", () => {
        w.line(`uint32 flags = RD32(info);
if ((flags & MB1_INFO_MMAP) == 0)
    return -1;
uint64 p = RD32(info + 48), end = p + RD32(info + 44);
while (p < end) {
    uint32 size = RD32(p);
    if (RD32(p + 20) == MMAP_AVAILABLE)
        add_region(RD64(p + 4), RD64(p + 12));
    p += size + 4;
}
return 0;`);
      });
      w.blank();
      w.comment("Multiboot2: 8-byte aligned tags after an 8-byte header; the mmap tag holds {addr, len, type, reserved} entries.");
      w.fn("static int mb2_map(uint64 info)", () => {
        w.line(`uint64 p = info + 8, end = info + RD32(info);
while (p < end) {
    uint32 type = RD32(p), size = RD32(p + 4);
    if (type == MB2_TAG_END)
        break;
    if (type == MB2_TAG_MMAP) {
        uint32 esize = RD32(p + 8);
        for (uint64 e = p + 16; e + esize <= p + size; e += esize)
            if (RD32(e + 16) == MMAP_AVAILABLE)
                add_region(RD64(e), RD64(e + 8));
        return 0;
    }
    p += (size + 7) & ~7UL;
}
return -1;`);
      });
      w.blank();
      w.comment("Hand the loader's free memory to the buddy allocator; panics when there is no map. info is physical.");
      w.fn("void memmap_init(uint32 magic, uint64 info)", () => {
        w.line(`reserve(V2P(__image_start), V2P(__bss_end));
if (magic == MB1_LOADER_MAGIC)
    mb1_reserve(info);
else if (magic == MB2_LOADER_MAGIC)
    mb2_reserve(info);
int r = magic == MB1_LOADER_MAGIC ? mb1_map(info) : magic == MB2_LOADER_MAGIC ? mb2_map(info) : -1;
if (r != 0)
    panic("memory: the loader gave no memory map");
kprintf("exo: memory: %u KiB free in %u regions, kernel image %u KiB\\n", (uint32)(buddy_free_pages() * 4), regions,
        (uint32)(((uint64)__bss_end - (uint64)__image_start) >> 10));`);
      });
      w.blank();
      bootModule(w);
      w.blank();
      loaderName(w);
    });
  },
};
