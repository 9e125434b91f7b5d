// arch/aarch64/vm.c: a process's translation tables. The kernel's half is
// TTBR1's, the same for every address space (boot.S's tables, EL0 has no
// access); a process's TTBR0 root maps its user pages anywhere from USER_MIN
// (64 KiB) up to USER_LIMIT (48 bits), through a 4-level tree of its own made as
// pages are mapped. Exo's own programs live in a 2 MiB window at USER_BASE.
// Entries and TTBR0 hold physical addresses; the kernel reads and writes tables
// and pages through the direct map (P2V). W^X: a user page is read-execute
// (code), read-only or read-write, and a writable one is never executable; no
// user page is ever executable at EL1 (PXN). Since fork (cow.c), a user page may
// be shared between address spaces: read-only, or PTE_COW_BIT (writable once
// copied); this file lets go of user pages through user_page_put and copies a
// copy-on-write page before the kernel writes to it.
import { emit, type Template } from "../../template.ts";

const source = "arch/aarch64/vm.ts";

export const vm: Template = {
  source,
  render() {
    const summary = "Per-process TTBR0 tables: user pages anywhere in the lower 48 bits above 64 KiB, writable or executable, never both; the kernel's empty TTBR0 table.";
    return emit({ source, path: "arch/aarch64/vm.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "cpu.h"', '#include "memlayout.h"', '#include "thread.h"', '#include "defs.h"');
      w.blank();
      w.comment("A user leaf: valid page, normal memory, accessed, not global (dropped with the space), EL0 access, never EL1-executable.");
      w.line("#define USER_LEAF (PTE_VALID | PTE_TABLE | PTE_NORMAL | PTE_SH_INNER | PTE_AF | PTE_NG | PTE_USER | PTE_PXN)");
      w.comment("The table an entry points to, through the direct map.");
      w.line("#define PTE_NEXT(e) ((uint64 *)P2V(PTE_ADDR(e)))");
      w.line("#define PAGE_MASK (PGSIZE - 1)");
      w.blank();
      w.comment("TTBR0 of kernel threads (and of the kernel after boot): an empty root, so no user address translates.");
      w.line("static uint64 kernel_l0[PGSIZE / 8] __attribute__((aligned(PGSIZE)));");
      w.blank();
      w.fn("static uint64 *zpage(void)", () => {
        w.line("uint64 *p = page_alloc(0);", "if (p != NULL)").indent(() => w.line("memset(p, 0, PGSIZE);"));
        w.line("return p;");
      });
      w.blank();
      w.comment("Whether [va, va + len) is all user addresses (no overflow).");
      w.fn("static int user_range(uint64 va, uint64 len)", () => {
        w.line("return va >= USER_MIN && va < USER_LIMIT && len <= USER_LIMIT - va;");
      });
      w.blank();
      w.comment("A new address space: returns its TTBR0 root's physical address, or 0 when memory is out. The kernel's half is TTBR1's: nothing of it here.");
      w.fn("uint64 uvm_create(void)", () => {
        w.line("uint64 *l0 = zpage();", "return l0 == NULL ? 0 : V2P(l0);");
      });
      w.blank();
      w.comment(
        "The last-level entry (its kernel address) of user address va in address",
        "space root (physical), making the tables on the way when alloc (NULL when",
        "memory is out), else NULL where one is missing.",
      );
      w.fn("uint64 *uvm_walk(uint64 root, uint64 va, int alloc)", () => {
        w.c`
          uint64 *table = P2V(root);
          if (!user_range(va, 1))
              return NULL;
          for (int shift = 39; shift > PGSHIFT; shift -= 9) {
              uint64 *e = &table[(va >> shift) & 511];
              if ((*e & PTE_VALID) == 0) {
                  uint64 *next;
                  if (!alloc || (next = zpage()) == NULL)
                      return NULL;
                  *e = V2P(next) | PTE_VALID | PTE_TABLE;
              }
              table = PTE_NEXT(*e);
          }
          return &table[(va >> PGSHIFT) & 511];
        `;
      });
      w.blank();
      w.comment(
        "For a walk over a range: the leaf entry of user address va, or NULL where a",
        "table on the way is missing, with *skip the bytes from va to the end of the",
        "area that table would map, so that a range of terabytes costs a step per table.",
      );
      w.fn("static uint64 *walk_range(uint64 root, uint64 va, uint64 *skip)", () => {
        w.c`
          uint64 *table = P2V(root);
          for (int shift = 39; shift > PGSHIFT; shift -= 9) {
              uint64 e = table[(va >> shift) & 511];
              if ((e & PTE_VALID) == 0) {
                  *skip = (1UL << shift) - (va & ((1UL << shift) - 1));
                  return NULL;
              }
              table = PTE_NEXT(e);
          }
          *skip = PGSIZE;
          return &table[(va >> PGSHIFT) & 511];
        `;
      });
      w.blank();
      w.comment("The leaf rights of prot: 0 read-execute, UVM_NOEXEC read-only, UVM_WRITE read-write (never executable).");
      w.fn("static uint64 prot_bits(int prot)", () => {
        w.c`
          uint64 e = USER_LEAF;
          if ((prot & UVM_WRITE) == 0)
              e |= PTE_RDONLY;
          if (prot & (UVM_WRITE | UVM_NOEXEC))
              e |= PTE_UXN;
          return e;
        `;
      });
      w.blank();
      w.comment("Whether leaf e lets EL0 write (AP[2] clear).");
      w.fn("static inline int leaf_writable(uint64 e)", () => w.line("return (e & PTE_RDONLY) == 0;"));
      w.blank();
      w.comment(
        "Map one page at user address va to page pa (a kernel address), with rights prot.",
        "Returns 0, or -1 when va is no user address or a table could not be had.",
      );
      w.fn("int uvm_map(uint64 root, uint64 va, void *pa, int prot)", () => {
        w.c`
          uint64 *e = uvm_walk(root, va, 1);
          if (e == NULL)
              return -1;
          *e = V2P(pa) | prot_bits(prot);
          return 0;
        `;
      });
      w.blank();
      w.comment("Map a fresh zeroed page at user address va; returns its kernel address, or NULL when memory is out.");
      w.fn("void *uvm_map_zeroed(uint64 root, uint64 va, int prot)", () => {
        w.c`
          uint64 *page = zpage();
          if (page != NULL && uvm_map(root, va, page, prot) != 0) {
              page_free(page, 0);
              return NULL;
          }
          return page;
        `;
      });
      w.blank();
      w.comment("The page mapped at user address va of address space root (its kernel address), or NULL.");
      w.fn("void *uvm_page(uint64 root, uint64 va)", () => {
        w.line("uint64 *e = uvm_walk(root, va, 0);", "return e != NULL && (*e & PTE_VALID) ? P2V(PTE_ADDR(*e)) : NULL;");
      });
      w.blank();
      w.comment(
        "Whether the current process may touch [va, va+len) (writable too when write):",
        "user addresses, every page mapped so. Syscalls check each user pointer with it",
        "before the kernel reads or writes through it; a copy-on-write page to be",
        "written is copied here (cow.c), as the CPU's fault would.",
      );
      w.fn("int uvm_check(uint64 va, uint64 len, int write)", () => {
        w.c`
          if (curthread->space == 0 || !user_range(va, len))
              return 0;
          for (uint64 page = va & ~PAGE_MASK; page < va + len; page += PGSIZE) {
              uint64 *e = uvm_walk(curthread->space, page, 0);
              if (e == NULL || (*e & PTE_VALID) == 0)
                  return 0;
              if (write && !leaf_writable(*e) && cow_fault(curthread->space, page) != 1)
                  return 0;
          }
          return 1;
        `;
      });
      w.blank();
      w.comment(
        "Copy the C string at user address va (of the current process) into dst, which",
        "has room for n bytes. Returns its length, -1 when a byte of it is not",
        "readable, or -2 when it does not fit.",
      );
      w.fn("int64 uvm_copy_str(char *dst, uint64 va, uint64 n)", () => {
        w.c`
          for (uint64 i = 0; i < n; i++) {
              if ((i == 0 || ((va + i) & PAGE_MASK) == 0) && !uvm_check(va + i, 1, 0)) /* once per page */
                  return -1;
              dst[i] = *(const char *)(va + i);
              if (dst[i] == 0)
                  return (int64)i;
          }
          return -2;
        `;
      });
      w.blank();
      w.comment(
        "Copy len bytes from src to user address va of address space root (not",
        "necessarily the current one), whatever the pages' rights; a copy-on-write",
        "page is copied first, so no other address space sees the bytes. Returns 0,",
        "or -1 where a page is not mapped (or its copy found no memory).",
      );
      w.fn("int uvm_write(uint64 root, uint64 va, const void *src, uint64 len)", () => {
        w.c`
          const uint8 *s = src;
          while (len > 0) {
              uint64 *e = uvm_walk(root, va & ~PAGE_MASK, 0);
              uint64 off = va & PAGE_MASK, n = PGSIZE - off < len ? PGSIZE - off : len;
              if (e == NULL || (*e & PTE_VALID) == 0 || ((*e & PTE_COW_BIT) && cow_fault(root, va & ~PAGE_MASK) != 1))
                  return -1;
              uint8 *page = P2V(PTE_ADDR(*e));
              memcpy(page + off, s, n);
              s += n;
              va += n;
              len -= n;
          }
          return 0;
        `;
      });
      w.blank();
      w.comment(
        "mmap in the Exo window: len bytes of fresh zeroed pages, writable (so not executable), at the lowest",
        "free run of the window. Returns their user address, or 0 when there is no room or memory.",
      );
      w.fn("uint64 uvm_alloc(uint64 root, uint64 len)", () => {
        w.c`
          uint64 window = USER_SIZE / PGSIZE;
          uint64 n = (len + PGSIZE - 1) / PGSIZE, run = 0;
          if (n == 0 || n > window)
              return 0;
          for (uint64 i = 0; i < window; i++) {
              run = uvm_page(root, USER_BASE + i * PGSIZE) != NULL ? 0 : run + 1;
              if (run < n)
                  continue;
              uint64 first = i + 1 - n;
              if (uvm_alloc_at(root, USER_BASE + first * PGSIZE, n * PGSIZE, UVM_WRITE) != 0)
                  return 0;
              return USER_BASE + first * PGSIZE;
          }
          return 0;
        `;
      });
      w.blank();
      w.comment("Map fresh zeroed pages with rights prot over [va, va + len), va page-aligned and nothing mapped there. Returns 0, or -1 (nothing left mapped) when memory is out.");
      w.fn("int uvm_alloc_at(uint64 root, uint64 va, uint64 len, int prot)", () => {
        w.c`
          for (uint64 off = 0; off < len; off += PGSIZE) {
              if (uvm_map_zeroed(root, va + off, prot) == NULL) {
                  uvm_dealloc(root, va, off);
                  return -1;
              }
          }
          return 0;
        `;
      });
      w.blank();
      w.comment(
        "mprotect: give the mapped pages of [va, va+len) the rights prot, dropping their TLB entries.",
        "A page still shared with another address space (copy-on-write, or held twice) made writable",
        "becomes copy-on-write instead, so the first write copies it. Returns how many were mapped, or",
        "-1 for a range of no user addresses.",
      );
      w.fn("int64 uvm_protect(uint64 root, uint64 va, uint64 len, int prot)", () => {
        w.c`
          int64 changed = 0;
          if ((va & PAGE_MASK) != 0 || !user_range(va, len))
              return -1;
          for (uint64 page = va, skip; page < va + len && page >= va; page += skip) {
              uint64 *e = walk_range(root, page, &skip);
              if (e != NULL && (*e & PTE_VALID)) {
                  uint64 bits = prot_bits(prot);
                  if (leaf_writable(bits) && ((*e & PTE_COW_BIT) || page_shared(PTE_ADDR(*e))))
                      bits |= PTE_RDONLY | PTE_COW_BIT;
                  *e = PTE_ADDR(*e) | bits;
                  changed++;
                  tlb_flush_page(page);
              }
          }
          return changed;
        `;
      });
      w.blank();
      w.comment("munmap: unmap the pages of [va, va+len) (each freed unless another address space still holds it), dropping their TLB entries. Returns how many were mapped, or -1 for a range of no user addresses.");
      w.fn("int64 uvm_dealloc(uint64 root, uint64 va, uint64 len)", () => {
        w.c`
          int64 freed = 0;
          if ((va & PAGE_MASK) != 0 || !user_range(va, len))
              return -1;
          for (uint64 page = va, skip; page < va + len && page >= va; page += skip) {
              uint64 *e = walk_range(root, page, &skip);
              if (e != NULL && (*e & PTE_VALID)) {
                  user_page_put(PTE_ADDR(*e));
                  *e = 0;
                  freed++;
                  tlb_flush_page(page);
              }
          }
          return freed;
        `;
      });
      w.blank();
      w.comment("Free a table of the given level (2 L1, 1 L2, 0 L3) and everything under it (a user page only when no other address space holds it).");
      w.fn("static void free_table(uint64 *table, int level)", () => {
        w.c`
          for (int i = 0; i < 512; i++) {
              if ((table[i] & PTE_VALID) == 0)
                  continue;
              if (level > 0)
                  free_table(PTE_NEXT(table[i]), level - 1);
              else
                  user_page_put(PTE_ADDR(table[i]));
          }
          page_free(table, 0);
        `;
      });
      w.blank();
      w.comment("Free the address space and every user page in it. The caller runs on another address space.");
      w.fn("void uvm_free(uint64 root)", () => {
        w.c`
          uint64 *l0 = P2V(root);
          for (int i = 0; i < 512; i++)
              if (l0[i] & PTE_VALID)
                  free_table(PTE_NEXT(l0[i]), 2);
          page_free(l0, 0);
        `;
      });
      w.blank();
      w.comment("The kernel's own TTBR0 root, for kernel threads: the empty table.");
      w.fn("uint64 kernel_space(void)", () => w.line("return V2P(kernel_l0);"));
      w.blank();
      w.comment(
        "Drop boot.S's identity map of RAM in TTBR0, which only served the way into the",
        "kernel's half: from here on the lower half is user space's. kmain calls it",
        "first (arch_init_early); nothing reads a low address after.",
      );
      w.fn("void vm_drop_low_map(void)", () => w.line("write_sysreg(ttbr0_el1, V2P(kernel_l0));", "tlb_flush_all();"));
    });
  },
};
