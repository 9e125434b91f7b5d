// arch/x86_64/vm.c: a process's page tables. Every address space shares the
// kernel's half (PML4[256..511]: the direct map of physical 0..1 GiB at
// KERNBASE, supervisor-only) and may map user pages anywhere in the lower
// half, from USER_MIN (64 KiB) up to USER_LIMIT (the end of the lower
// canonical half), through a 4-level tree of its own made as pages are
// mapped. Exo's own programs live in a 2 MiB window at USER_BASE; Linux-ABI
// programs at their ELF's addresses, with a stack near the top.
// Entries and CR3 hold physical addresses; the kernel reads and writes tables
// and pages through the direct map (P2V). A pml4 value is physical, what CR3
// takes. W^X: a user page is read-execute (code), read-only or read-write, and
// a writable one is never executable. Since fork (cow.c), a user page may be
// shared between address spaces: read-only, or PTE_COW (writable once copied);
// this file lets go of user pages through user_page_put and copies a PTE_COW
// page before the kernel writes to it.
import { emit, type Template } from "../../template.ts";

const source = "arch/x86_64/vm.ts";

export const vm: Template = {
  source,
  render() {
    const summary = "Per-process page tables: the shared kernel half plus user pages anywhere in the lower half above 64 KiB, writable or executable, never both.";
    return emit({ source, path: "arch/x86_64/vm.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "cpu.h"', '#include "memlayout.h"', '#include "thread.h"', '#include "defs.h"');
      w.blank();
      w.line("extern uint64 boot_pml4[512];");
      w.comment("The table an entry points to, through the direct map.");
      w.line("#define PTE_TABLE(e) ((uint64 *)P2V(PTE_ADDR(e)))");
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
      w.comment(
        "A new address space: returns its PML4's physical address (what CR3 takes),",
        "or 0 when memory is out. The kernel's half (PML4[256..511], only [511] used)",
        "is boot_pml4's, shared and without PTE_U, so user mode cannot reach it;",
        "the lower half is all the process's. No NX above the leaves: each user",
        "page's own entry decides.",
      );
      w.fn("uint64 uvm_create(void)", () => {
        w.line(`uint64 *pml4 = zpage();
if (pml4 == NULL)
    return 0;
for (int i = 256; i < 512; i++)
    pml4[i] = boot_pml4[i];
return V2P(pml4);`);
      });
      w.blank();
      w.comment(
        "The last-level entry (its kernel address) of user address va in address",
        "space pml4 (physical), making the tables on the way when alloc (NULL when",
        "memory is out), else NULL where one is missing.",
      );
      w.fn("uint64 *uvm_walk(uint64 pml4, uint64 va, int alloc)", () => {
        w.line(`uint64 *table = P2V(pml4);
if (!user_range(va, 1))
    return NULL;
for (int shift = 39; shift > 12; shift -= 9) {
    uint64 *e = &table[(va >> shift) & 511];
    if ((*e & PTE_P) == 0) {
        uint64 *next;
        if (!alloc || (next = zpage()) == NULL)
            return NULL;
        *e = V2P(next) | PTE_P | PTE_W | PTE_U;
    }
    table = PTE_TABLE(*e);
}
return &table[(va >> PGSHIFT) & 511];`);
      });
      w.blank();
      w.comment(
        "For a walk over a range: the leaf entry of user address va, or NULL where a",
        "table on the way is missing, with *skip the bytes from va to the end of the",
        "area that table would map (a PDPT's 512 GiB down to a page table's 2 MiB),",
        "so that a range of terabytes costs a step per table, not one per page.",
      );
      w.fn("static uint64 *walk_range(uint64 pml4, uint64 va, uint64 *skip)", () => {
        w.line(`uint64 *table = P2V(pml4);
for (int shift = 39; shift > 12; shift -= 9) {
    uint64 e = table[(va >> shift) & 511];
    if ((e & PTE_P) == 0) {
        *skip = (1UL << shift) - (va & ((1UL << shift) - 1));
        return NULL;
    }
    table = PTE_TABLE(e);
}
*skip = PGSIZE;
return &table[(va >> PGSHIFT) & 511];`);
      });
      w.blank();
      w.comment("The leaf entry rights of prot: 0 read-execute, UVM_NOEXEC read-only, UVM_WRITE read-write (always NX).");
      w.fn("static uint64 prot_bits(int prot)", () => {
        w.line(`uint64 e = PTE_P | PTE_U;
if (prot & UVM_WRITE)
    e |= PTE_W;
if (prot & (UVM_WRITE | UVM_NOEXEC))
    e |= pte_nx;
return e;`);
      });
      w.blank();
      w.comment(
        "Map one page at user address va to page pa (a kernel address), with rights prot. A writable",
        "page always gets NX, so none is writable and executable. Returns 0, or",
        "-1 when va is no user address or a page table could not be had.",
      );
      w.fn("int uvm_map(uint64 pml4, uint64 va, void *pa, int prot)", () => {
        w.line(`uint64 *e = uvm_walk(pml4, va, 1);
if (e == NULL)
    return -1;
*e = V2P(pa) | prot_bits(prot);
return 0;`);
      });
      w.blank();
      w.comment("Map a fresh zeroed page at user address va; returns its kernel address, or NULL when memory is out.");
      w.fn("void *uvm_map_zeroed(uint64 pml4, uint64 va, int prot)", () => {
        w.line(`uint64 *page = zpage();
if (page != NULL && uvm_map(pml4, va, page, prot) != 0) {
    page_free(page, 0);
    return NULL;
}
return page;`);
      });
      w.blank();
      w.comment("The page mapped at user address va of address space pml4 (its kernel address), or NULL.");
      w.fn("void *uvm_page(uint64 pml4, uint64 va)", () => {
        w.line(`uint64 *e = uvm_walk(pml4, va, 0);
return e != NULL && (*e & PTE_P) ? P2V(PTE_ADDR(*e)) : NULL;`);
      });
      w.blank();
      w.comment(
        "Whether the current process may touch [va, va+len) (writable too when",
        "write): user addresses, every page mapped so. Syscalls check each user",
        "pointer with it before the kernel reads or writes through it; a PTE_COW",
        "page to be written is copied here (cow.c), as the CPU's fault would.",
      );
      w.fn("int uvm_check(uint64 va, uint64 len, int write)", () => {
        w.line(`if (curthread->space == 0 || !user_range(va, len))
    return 0;
for (uint64 page = va & ~(PGSIZE - 1); page < va + len; page += PGSIZE) {
    uint64 *e = uvm_walk(curthread->space, page, 0);
    if (e == NULL || (*e & PTE_P) == 0)
        return 0;
    if (write && (*e & PTE_W) == 0 && cow_fault(curthread->space, page) != 1)
        return 0;
}
return 1;`);
      });
      w.blank();
      w.comment(
        "Copy the C string at user address va (of the current process) into dst,",
        "which has room for n bytes. Returns its length, -1 when a byte of it is",
        "not readable, or -2 when it does not fit.",
      );
      w.fn("int64 uvm_copy_str(char *dst, uint64 va, uint64 n)", () => {
        w.line(`for (uint64 i = 0; i < n; i++) {
    if ((i == 0 || ((va + i) & (PGSIZE - 1)) == 0) && !uvm_check(va + i, 1, 0)) /* once per page */
        return -1;
    dst[i] = *(const char *)(va + i);
    if (dst[i] == 0)
        return (int64)i;
}
return -2;`);
      });
      w.blank();
      w.comment(
        "Copy len bytes from src to user address va of address space pml4 (not",
        "necessarily the current one), whatever the pages' rights; a PTE_COW page",
        "is copied first, so no other address space sees the bytes. Returns 0, or",
        "-1 where a page is not mapped (or its copy found no memory).",
      );
      w.fn("int uvm_write(uint64 pml4, uint64 va, const void *src, uint64 len)", () => {
        w.line(`const uint8 *s = src;
while (len > 0) {
    uint64 *e = uvm_walk(pml4, va & ~(PGSIZE - 1), 0);
    uint64 off = va & (PGSIZE - 1), n = PGSIZE - off < len ? PGSIZE - off : len;
    if (e == NULL || (*e & PTE_P) == 0 || ((*e & PTE_COW) && cow_fault(pml4, va & ~(PGSIZE - 1)) != 1))
        return -1;
    uint8 *page = P2V(PTE_ADDR(*e));
    memcpy(page + off, s, n);
    s += n;
    va += n;
    len -= n;
}
return 0;`);
      });
      w.blank();
      w.comment(
        "mmap in the Exo window: len bytes of fresh zeroed pages, writable (so not executable), at the lowest",
        "free run of the window. Returns their user address, or 0 when there is no room or memory.",
      );
      w.fn("uint64 uvm_alloc(uint64 pml4, uint64 len)", () => {
        w.line(`uint64 n = (len + PGSIZE - 1) / PGSIZE, run = 0;
if (n == 0 || n > 512)
    return 0;
for (uint64 i = 0; i < 512; i++) {
    run = uvm_page(pml4, USER_BASE + i * PGSIZE) != NULL ? 0 : run + 1;
    if (run < n)
        continue;
    uint64 first = i + 1 - n;
    if (uvm_alloc_at(pml4, USER_BASE + first * PGSIZE, n * PGSIZE, UVM_WRITE) != 0)
        return 0;
    return USER_BASE + first * PGSIZE;
}
return 0;`);
      });
      w.blank();
      w.comment("Map fresh zeroed pages with rights prot over [va, va + len), va page-aligned and nothing mapped there. Returns 0, or -1 (nothing left mapped) when memory is out.");
      w.fn("int uvm_alloc_at(uint64 pml4, uint64 va, uint64 len, int prot)", () => {
        w.line(`for (uint64 off = 0; off < len; off += PGSIZE) {
    if (uvm_map_zeroed(pml4, va + off, prot) == NULL) {
        uvm_dealloc(pml4, va, off);
        return -1;
    }
}
return 0;`);
      });
      w.blank();
      w.comment(
        "mprotect: give the mapped pages of [va, va+len) the rights prot, dropping their TLB entries.",
        "A page still shared with another address space (PTE_COW, or held twice) made writable",
        "becomes PTE_COW instead, so the first write copies it. Returns how many were mapped, or -1",
        "for a range of no user addresses.",
      );
      w.fn("int64 uvm_protect(uint64 pml4, uint64 va, uint64 len, int prot)", () => {
        w.line(`int64 changed = 0;
if ((va & (PGSIZE - 1)) != 0 || !user_range(va, len))
    return -1;
for (uint64 page = va, skip; page < va + len && page >= va; page += skip) {
    uint64 *e = walk_range(pml4, page, &skip);
    if (e != NULL && (*e & PTE_P)) {
        uint64 bits = prot_bits(prot);
        if ((bits & PTE_W) && ((*e & PTE_COW) || page_shared(PTE_ADDR(*e))))
            bits = (bits & ~PTE_W) | PTE_COW;
        *e = PTE_ADDR(*e) | bits;
        changed++;
        __asm__ volatile("invlpg (%0)" : : "r"(page) : "memory");
    }
}
return changed;`);
      });
      w.blank();
      w.comment("munmap: unmap the pages of [va, va+len) (each freed unless another address space still holds it), dropping their TLB entries. Returns how many were mapped, or -1 for a range of no user addresses.");
      w.fn("int64 uvm_dealloc(uint64 pml4, uint64 va, uint64 len)", () => {
        w.line(`int64 freed = 0;
if ((va & (PGSIZE - 1)) != 0 || !user_range(va, len))
    return -1;
for (uint64 page = va, skip; page < va + len && page >= va; page += skip) {
    uint64 *e = walk_range(pml4, page, &skip);
    if (e != NULL && (*e & PTE_P)) {
        user_page_put(PTE_ADDR(*e));
        *e = 0;
        freed++;
        __asm__ volatile("invlpg (%0)" : : "r"(page) : "memory");
    }
}
return freed;`);
      });
      w.blank();
      w.comment("Free a page table of the given level (3 PDPT, 2 PD, 1 PT) and everything under it (a user page only when no other address space holds it).");
      w.fn("static void free_table(uint64 *table, int level)", () => {
        w.line(`for (int i = 0; i < 512; i++) {
    if ((table[i] & PTE_P) == 0)
        continue;
    if (level > 1)
        free_table(PTE_TABLE(table[i]), level - 1);
    else
        user_page_put(PTE_ADDR(table[i]));
}
page_free(table, 0);`);
      });
      w.blank();
      w.comment("Free the address space and every user page in it: the lower half only, never the kernel's shared half. The caller runs on another address space.");
      w.fn("void uvm_free(uint64 pml4)", () => {
        w.line(`uint64 *top = P2V(pml4);
for (int i = 0; i < 256; i++)
    if (top[i] & PTE_P)
        free_table(PTE_TABLE(top[i]), 3);
page_free(top, 0);`);
      });
      w.blank();
      w.comment("The kernel's own address space, for kernel threads: boot_pml4's physical address.");
      w.fn("uint64 kernel_cr3(void)", () => w.line("return V2P(boot_pml4);"));
      w.blank();
      w.comment(
        "Drop boot.S's map of physical memory at 0 (PML4[0]), which only served the",
        "way into the kernel's half: from here on the lower half is user space's.",
        "kmain calls it first; nothing reads a low address after (Multiboot info,",
        "modules and the memory map all go through P2V).",
      );
      w.fn("void vm_drop_low_map(void)", () => w.line("boot_pml4[0] = 0;", "write_cr3(V2P(boot_pml4));"));
    });
  },
};
