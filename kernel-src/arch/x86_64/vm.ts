// arch/x86_64/vm.c: a process's page tables. Every address space shares the
// kernel's identity map of the first 1 GiB (supervisor-only) and adds its own
// user window at USER_BASE: code pages at the bottom, a stack at the top.
// W^X: a user page is read-execute (code), read-only or read-write, and a
// writable one is never executable.
import { emit, type Template } from "../../template.ts";

const source = "arch/x86_64/vm.ts";

export const vm: Template = {
  source,
  render() {
    const summary = "Per-process page tables: the shared kernel map plus a 2 MiB user window with code and stack pages, writable or executable, never both.";
    return emit({ source, path: "arch/x86_64/vm.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "cpu.h"', '#include "memlayout.h"', '#include "thread.h"', '#include "defs.h"');
      w.blank();
      w.line("extern uint64 boot_pml4[512], boot_pdpt[512];");
      w.line("#define PTE_ADDR(e) ((e) & 0x000ffffffffff000UL)");
      w.blank();
      w.fn("static uint64 *zpage(void)", () => {
        w.line("uint64 *p = page_alloc(0);", "if (p != NULL)").indent(() => w.line("memset(p, 0, 4096);"));
        w.line("return p;");
      });
      w.blank();
      w.comment(
        "A new address space: returns its PML4 (a physical address, which is also",
        "its kernel address), or 0 when memory is out. PML4[0] and PDPT[1] carry",
        "PTE_U; PDPT[0] (the kernel's 1 GiB) does not, so user mode cannot reach it.",
        "No NX above the leaves: each user page's own entry decides.",
      );
      w.fn("uint64 uvm_create(void)", () => {
        w.line(`uint64 *pml4 = zpage(), *pdpt = zpage(), *pd = zpage(), *pt = zpage();
if (pml4 == NULL || pdpt == NULL || pd == NULL || pt == NULL)
    return 0;
pdpt[0] = boot_pdpt[0];
pdpt[1] = (uint64)pd | PTE_P | PTE_W | PTE_U;
pd[0] = (uint64)pt | PTE_P | PTE_W | PTE_U;
pml4[0] = (uint64)pdpt | PTE_P | PTE_W | PTE_U;
return (uint64)pml4;`);
      });
      w.blank();
      w.comment("The last-level table of the user window.");
      w.fn("static uint64 *user_pt(uint64 pml4)", () => {
        w.line(`uint64 *pdpt = (uint64 *)PTE_ADDR(((uint64 *)pml4)[0]);
uint64 *pd = (uint64 *)PTE_ADDR(pdpt[1]);
return (uint64 *)PTE_ADDR(pd[0]);`);
      });
      w.blank();
      w.comment(
        "Map one page at user address va (inside the window) to page pa, with",
        "rights prot: 0 read-execute, UVM_NOEXEC read-only, UVM_WRITE read-write.",
        "A writable page always gets NX, so none is writable and executable.",
      );
      w.fn("void uvm_map(uint64 pml4, uint64 va, void *pa, int prot)", () => {
        w.line(`uint64 e = (uint64)pa | PTE_P | PTE_U;
if (prot & UVM_WRITE)
    e |= PTE_W;
if (prot & (UVM_WRITE | UVM_NOEXEC))
    e |= pte_nx;
user_pt(pml4)[(va - USER_BASE) >> 12] = e;`);
      });
      w.blank();
      w.comment("Map a fresh zeroed page at user address va; returns its kernel address, or NULL when memory is out.");
      w.fn("void *uvm_map_zeroed(uint64 pml4, uint64 va, int prot)", () => {
        w.line("uint64 *page = zpage();", "if (page != NULL)").indent(() => w.line("uvm_map(pml4, va, page, prot);"));
        w.line("return page;");
      });
      w.blank();
      w.comment("The page mapped at user address va of address space pml4 (its kernel address), or NULL.");
      w.fn("void *uvm_page(uint64 pml4, uint64 va)", () => {
        w.line(`if (va < USER_BASE || va - USER_BASE >= USER_SIZE)
    return NULL;
uint64 e = user_pt(pml4)[(va - USER_BASE) >> 12];
return (e & PTE_P) ? (void *)PTE_ADDR(e) : NULL;`);
      });
      w.blank();
      w.comment(
        "Whether the current process may touch [va, va+len) (writable too when",
        "write): inside the window and every page mapped so. Syscalls check each",
        "user pointer with it before the kernel reads or writes through it.",
      );
      w.fn("int uvm_check(uint64 va, uint64 len, int write)", () => {
        w.line(`if (curthread->cr3 == 0 || va < USER_BASE || len > USER_SIZE || va - USER_BASE > USER_SIZE - len)
    return 0;
uint64 *pt = user_pt(curthread->cr3);
for (uint64 page = va & ~0xfffUL; page < va + len; page += 4096) {
    uint64 e = pt[(page - USER_BASE) >> 12];
    if ((e & PTE_P) == 0 || (write && (e & PTE_W) == 0))
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
    if ((i == 0 || ((va + i) & 0xfff) == 0) && !uvm_check(va + i, 1, 0)) /* once per page */
        return -1;
    dst[i] = *(const char *)(va + i);
    if (dst[i] == 0)
        return (int64)i;
}
return -2;`);
      });
      w.blank();
      w.comment(
        "mmap: len bytes of fresh zeroed pages, writable (so not executable), at the lowest free run",
        "of the window. Returns their user address, or 0 when there is no room or memory.",
      );
      w.fn("uint64 uvm_alloc(uint64 pml4, uint64 len)", () => {
        w.line(`uint64 *pt = user_pt(pml4);
uint64 n = (len + 4095) / 4096, run = 0;
if (n == 0 || n > 512)
    return 0;
for (uint64 i = 0; i < 512; i++) {
    run = (pt[i] & PTE_P) ? 0 : run + 1;
    if (run < n)
        continue;
    uint64 first = i + 1 - n;
    for (uint64 j = first; j <= i; j++) {
        if (uvm_map_zeroed(pml4, USER_BASE + j * 4096, UVM_WRITE) == NULL) {
            uvm_dealloc(pml4, USER_BASE + first * 4096, (j - first) * 4096);
            return 0;
        }
    }
    return USER_BASE + first * 4096;
}
return 0;`);
      });
      w.blank();
      w.comment("munmap: unmap and free the pages of [va, va+len), dropping their TLB entries. Returns how many were mapped, or -1 for a range outside the window.");
      w.fn("int64 uvm_dealloc(uint64 pml4, uint64 va, uint64 len)", () => {
        w.line(`int64 freed = 0;
if ((va & 0xfff) != 0 || va < USER_BASE || len > USER_SIZE || va - USER_BASE > USER_SIZE - len)
    return -1;
uint64 *pt = user_pt(pml4);
for (uint64 page = va; page < va + len; page += 4096) {
    uint64 *e = &pt[(page - USER_BASE) >> 12];
    if (*e & PTE_P) {
        page_free((void *)PTE_ADDR(*e), 0);
        *e = 0;
        freed++;
        __asm__ volatile("invlpg (%0)" : : "r"(page) : "memory");
    }
}
return freed;`);
      });
      w.blank();
      w.comment("Free the address space and every page mapped in its window. The caller runs on another address space.");
      w.fn("void uvm_free(uint64 pml4)", () => {
        w.line(`uint64 *pt = user_pt(pml4);
uint64 *pdpt = (uint64 *)PTE_ADDR(((uint64 *)pml4)[0]);
uint64 *pd = (uint64 *)PTE_ADDR(pdpt[1]);
for (int i = 0; i < 512; i++)
    if (pt[i] & PTE_P)
        page_free((void *)PTE_ADDR(pt[i]), 0);
page_free(pt, 0);
page_free(pd, 0);
page_free(pdpt, 0);
page_free((void *)pml4, 0);`);
      });
      w.blank();
      w.comment("The kernel's own address space, for kernel threads.");
      w.fn("uint64 kernel_cr3(void)", () => w.line("return (uint64)boot_pml4;"));
    });
  },
};
