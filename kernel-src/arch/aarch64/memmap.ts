// arch/aarch64/memmap.c: what the loader hands kmain, read for the core: a
// device tree (its physical address in x0 at entry), through core/fdt.c. Its
// /memory ranges go to the buddy allocator minus the kernel image, the device
// tree itself and the initrd (/chosen linux,initrd-start/-end), which is the
// first boot module. Under UEFI the EFI stub (efi.c) loads the initrd itself
// and hands it over in x1/x2, which boot.S keeps in boot_initrd(_len).
import { emit, type Template } from "../../template.ts";

const source = "arch/aarch64/memmap.ts";

export const memmap: Template = {
  source,
  render() {
    const summary = "The device tree's memory ranges (minus the kernel image, the device tree and the initrd) to the buddy allocator, the initrd as the boot module, the loader's name.";
    return emit({ source, path: "arch/aarch64/memmap.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "memlayout.h"', '#include "arch.h"');
      w.blank();
      w.line("#define MAX_RANGES 8", "#define HIGH_LIMIT DIRECT_MAP_SIZE /* above: outside the direct map */");
      w.blank();
      w.line("extern char __image_start[], __image_end[];", "extern uint64 boot_initrd, boot_initrd_len; /* boot.S: the EFI stub's initrd, or 0 */", "static uint32 regions;");
      w.blank();
      w.comment("Memory that must outlive the map: the kernel image, the device tree and the initrd, read after the allocator starts handing out pages.");
      w.line("#define MAX_RESERVED 4", "static struct {", "    uint64 start, end;", "} reserved[MAX_RESERVED];", "static uint32 nreserved;");
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
        w.c`
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
        `;
      });
      w.blank();
      w.comment("The device tree the loader passed, as a kernel address, or NULL when info is none.");
      w.fn("static const void *device_tree(uint32 magic, uint64 info)", () => {
        w.line("if (magic != BOOT_MAGIC_DTB || info == 0 || info >= DIRECT_MAP_SIZE || !fdt_check(P2V(info)))").indent(() => w.line("return NULL;"));
        w.line("return P2V(info);");
      });
      w.blank();
      w.comment("The initrd's physical [*start, *end): the EFI stub's, else the device tree's /chosen; 0 when there is none.");
      w.fn("static int initrd_range(const void *fdt, uint64 *start, uint64 *end)", () => {
        w.c`
          if (boot_initrd != 0) {
              *start = boot_initrd;
              *end = boot_initrd + boot_initrd_len;
              return 1;
          }
          return fdt != NULL && fdt_initrd(fdt, start, end);
        `;
      });
      w.blank();
      w.comment("Hand the device tree's RAM to the buddy allocator; panics when there is none. info is physical.");
      w.fn("void memmap_init(uint32 magic, uint64 info)", () => {
        w.c`
          const void *fdt = device_tree(magic, info);
          uint64 base[MAX_RANGES], size[MAX_RANGES], start, end;
          if (fdt == NULL)
              panic("memory: the loader gave no device tree");
          reserve(V2P(__image_start), V2P(__image_end));
          reserve(info, info + fdt_size(fdt));
          if (initrd_range(fdt, &start, &end))
              reserve(start, end);
          int n = fdt_memory(fdt, base, size, MAX_RANGES);
          for (int i = 0; i < n; i++) {
              uint64 lo = base[i] < RAM_BASE ? RAM_BASE : base[i];
              uint64 hi = base[i] + size[i] > HIGH_LIMIT ? HIGH_LIMIT : base[i] + size[i];
              if (lo >= hi)
                  continue;
              regions++;
              add_free((lo + PGSIZE - 1) & ~(PGSIZE - 1), hi & ~(PGSIZE - 1), 0);
          }
          if (regions == 0)
              panic("memory: the device tree has no usable memory");
          kprintf("exo: memory: %u KiB free in %u regions, kernel image %u KiB\n", (uint32)(buddy_free_pages() * (PGSIZE / 1024)), regions,
                  (uint32)(((uint64)__image_end - (uint64)__image_start) >> 10));
        `;
      });
      w.blank();
      w.comment("The initrd the loader placed (the EFI stub's, or /chosen linux,initrd-start/-end): 1 with *start (its kernel address) and *len set, or 0.");
      w.fn("int arch_boot_module(uint32 magic, uint64 info, const uint8 **start, uint64 *len)", () => {
        w.c`
          const void *fdt = device_tree(magic, info);
          uint64 lo, hi;
          if (!initrd_range(fdt, &lo, &hi) || hi <= lo || hi > HIGH_LIMIT)
              return 0;
          *start = P2V(lo);
          *len = hi - lo;
          return 1;
        `;
      });
      w.blank();
      w.comment("Name the boot protocol from the magic boot.S passed, and whether the EFI stub came first.");
      w.fn("const char *arch_loader_name(uint32 magic)", () => {
        w.c`
          if (magic != BOOT_MAGIC_DTB)
              return "unknown";
          return boot_initrd != 0 ? "arm64-image (uefi stub)" : "arm64-image";
        `;
      });
    });
  },
};
