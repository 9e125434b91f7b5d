// arch/riscv64/vm.c: page tables (Sv39: three levels of 512 entries, 1 GiB,
// 2 MiB and 4 KiB pages). boot_map builds the kernel's: physical
// 0..DIRECT_MAP_SIZE at KERNBASE in 1 GiB pages, except that the gigabyte
// holding the image is split down to 4 KiB pages around it, each with its
// segment's rights (text RX, rodata R, data and BSS RW: W^X). Every address
// space shares those root entries (256..259, no PTE_U); its lower half
// (0..USER_LIMIT, 256 GiB) is the process's, built as pages are mapped. A user
// page is read-execute, read-only or read-write, never writable and
// executable. Entries and satp hold physical addresses; the kernel reads and
// writes tables and pages through the direct map (P2V). Since fork (cow.c) a
// user page may be shared: read-only, or PTE_COW (writable once copied).
import { emit, type Template } from "../../template.ts";

const source = "arch/riscv64/vm.ts";

export const vm: Template = {
  source,
  render() {
    const summary = "Sv39 page tables: the boot map of the kernel's half (W^X), and per-process user pages in the lower half, writable or executable, never both.";
    return emit({ source, path: "arch/riscv64/vm.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "riscv.h"', '#include "memlayout.h"', '#include "thread.h"', '#include "defs.h"');
      w.blank();
      w.c`
        #define GIGA (1UL << 30)
        #define MEGA2 (1UL << 21)
        /* A kernel leaf: accessed and dirty set up front, global (the same in every address space). */
        #define KLEAF(pa, rights) (PA2PTE(pa) | (rights) | PTE_V | PTE_A | PTE_D | PTE_G)
        /* The table an entry points to, through the direct map. */
        #define PTE_TABLE(e) ((uint64 *)P2V(PTE_ADDR(e)))

        extern char __image_start[], __text_end[], __rodata_end[], __image_end[];

        /* The kernel's root table: the address space of kernel threads, and the source of every other one's kernel half. */
        uint64 boot_root[512] __attribute__((aligned(PGSIZE)));
        static uint64 boot_mid[512] __attribute__((aligned(PGSIZE)));
        static uint64 boot_pt[BOOT_PT_PAGES][512] __attribute__((aligned(PGSIZE)));

        /*
         * Called by boot.S before the MMU is on, at physical addresses: every
         * symbol here is reached PC-relatively (-mcmodel=medany), so
         * (uint64)__image_start is the image's physical address. BSS is zero.
         * Returns the root table's physical address for satp. The gigabyte
         * holding the image is also mapped at its own address, read-execute,
         * for the few instructions between satp and the jump to the kernel's
         * half; arch_init_early drops it.
         */
        uint64 boot_map(void)
        {
            uint64 img = (uint64)__image_start, text_end = (uint64)__text_end;
            uint64 ro_end = (uint64)__rodata_end, end = (uint64)__image_end;
            uint64 giga = img & ~(GIGA - 1), first = img & ~(MEGA2 - 1);
            for (uint64 i = 0; i < DIRECT_MAP_SIZE / GIGA; i++)
                boot_root[256 + i] = KLEAF(i * GIGA, PTE_R | PTE_W);
            boot_root[256 + giga / GIGA] = PA2PTE(boot_mid) | PTE_V;
            for (uint64 j = 0; j < 512; j++)
                boot_mid[j] = KLEAF(giga + j * MEGA2, PTE_R | PTE_W);
            for (uint64 k = 0; k < BOOT_PT_PAGES; k++) {
                uint64 base = first + k * MEGA2;
                boot_mid[(base - giga) / MEGA2] = PA2PTE(boot_pt[k]) | PTE_V;
                for (uint64 m = 0; m < 512; m++) {
                    uint64 pa = base + m * PGSIZE, rights = PTE_R | PTE_W; /* outside the image: data */
                    if (pa >= img && pa < text_end)
                        rights = PTE_R | PTE_X;
                    else if (pa >= text_end && pa < ro_end)
                        rights = PTE_R;
                    boot_pt[k][m] = KLEAF(pa, rights);
                }
            }
            (void)end; /* linker.ld asserts the image ends inside boot_pt */
            boot_root[giga / GIGA] = PA2PTE(giga) | PTE_R | PTE_X | PTE_V | PTE_A;
            return (uint64)boot_root;
        }

        /* Drop boot_map's identity map of the image's gigabyte: from here on the lower half is user space's. */
        void vm_drop_identity(void)
        {
            boot_root[RAM_BASE / GIGA] = 0;
            sfence_vma();
        }

        /* The kernel's own address space, for kernel threads: boot_root's physical address. */
        uint64 kernel_space(void)
        {
            return V2P(boot_root);
        }

        static uint64 *zpage(void)
        {
            uint64 *p = page_alloc(0);
            if (p != NULL)
                memset(p, 0, PGSIZE);
            return p;
        }

        /* Whether [va, va + len) is all user addresses (no overflow). */
        static int user_range(uint64 va, uint64 len)
        {
            return va >= USER_MIN && va < USER_LIMIT && len <= USER_LIMIT - va;
        }

        /*
         * A new address space: its root table's physical address (what satp
         * takes), or 0 when memory is out. The kernel's half (entries 256..511)
         * is boot_root's, shared and without PTE_U, so user mode cannot reach it.
         */
        uint64 uvm_create(void)
        {
            uint64 *root = zpage();
            if (root == NULL)
                return 0;
            for (int i = 256; i < 512; i++)
                root[i] = boot_root[i];
            return V2P(root);
        }

        /*
         * The last-level entry (its kernel address) of user address va in space,
         * making the tables on the way when alloc (NULL when memory is out), else
         * NULL where one is missing.
         */
        uint64 *uvm_walk(uint64 space, uint64 va, int alloc)
        {
            uint64 *table = P2V(space);
            if (!user_range(va, 1))
                return NULL;
            for (int shift = 30; shift > 12; shift -= 9) {
                uint64 *e = &table[(va >> shift) & 511];
                if ((*e & PTE_V) == 0) {
                    uint64 *next;
                    if (!alloc || (next = zpage()) == NULL)
                        return NULL;
                    *e = PA2PTE(V2P(next)) | PTE_V;
                } else if (*e & PTE_LEAF) {
                    return NULL; /* a large page: user space has none */
                }
                table = PTE_TABLE(*e);
            }
            return &table[(va >> 12) & 511];
        }

        /*
         * For a walk over a range: the leaf entry of user address va, or NULL where
         * a table on the way is missing, with *skip the bytes from va to the end of
         * the area that table would map, so a sparse range costs a step per table.
         */
        static uint64 *walk_range(uint64 space, uint64 va, uint64 *skip)
        {
            uint64 *table = P2V(space);
            for (int shift = 30; shift > 12; shift -= 9) {
                uint64 e = table[(va >> shift) & 511];
                if ((e & PTE_V) == 0 || (e & PTE_LEAF) != 0) {
                    *skip = (1UL << shift) - (va & ((1UL << shift) - 1));
                    return NULL;
                }
                table = PTE_TABLE(e);
            }
            *skip = PGSIZE;
            return &table[(va >> 12) & 511];
        }

        /* The leaf rights of prot: 0 read-execute, UVM_NOEXEC read-only, UVM_WRITE read-write (never executable). */
        static uint64 prot_bits(int prot)
        {
            uint64 e = PTE_V | PTE_U | PTE_R | PTE_A | PTE_D;
            if (prot & UVM_WRITE)
                e |= PTE_W;
            if ((prot & (UVM_WRITE | UVM_NOEXEC)) == 0)
                e |= PTE_X;
            return e;
        }

        /* Map one page at user address va to page pa (a kernel address) with rights prot. 0, or -1 when va is no user address or memory is out. */
        int uvm_map(uint64 space, uint64 va, void *pa, int prot)
        {
            uint64 *e = uvm_walk(space, va, 1);
            if (e == NULL)
                return -1;
            *e = PA2PTE(V2P(pa)) | prot_bits(prot);
            return 0;
        }

        /* Map a fresh zeroed page at user address va; returns its kernel address, or NULL when memory is out. */
        void *uvm_map_zeroed(uint64 space, uint64 va, int prot)
        {
            uint64 *page = zpage();
            if (page != NULL && uvm_map(space, va, page, prot) != 0) {
                page_free(page, 0);
                return NULL;
            }
            return page;
        }

        /* The page mapped at user address va of space (its kernel address), or NULL. */
        void *uvm_page(uint64 space, uint64 va)
        {
            uint64 *e = uvm_walk(space, va, 0);
            return e != NULL && (*e & PTE_V) ? P2V(PTE_ADDR(*e)) : NULL;
        }

        /*
         * Whether the current process may touch [va, va+len) (writable too when
         * write): user addresses, every page mapped so. The kernel reads and writes
         * user memory directly (sstatus.SUM is on), after this check; a PTE_COW page
         * to be written is copied here (cow.c), as the CPU's fault would.
         */
        int uvm_check(uint64 va, uint64 len, int write)
        {
            if (curthread->space == 0 || !user_range(va, len))
                return 0;
            for (uint64 page = va & ~(uint64)(PGSIZE - 1); page < va + len; page += PGSIZE) {
                uint64 *e = uvm_walk(curthread->space, page, 0);
                if (e == NULL || (*e & PTE_V) == 0)
                    return 0;
                if (write && (*e & PTE_W) == 0 && cow_fault(curthread->space, page) != 1)
                    return 0;
            }
            return 1;
        }

        /*
         * Copy the C string at user address va (of the current process) into dst,
         * which has room for n bytes. Returns its length, -1 when a byte of it is
         * not readable, or -2 when it does not fit.
         */
        int64 uvm_copy_str(char *dst, uint64 va, uint64 n)
        {
            for (uint64 i = 0; i < n; i++) {
                if ((i == 0 || ((va + i) & (PGSIZE - 1)) == 0) && !uvm_check(va + i, 1, 0)) /* once per page */
                    return -1;
                dst[i] = *(const char *)(va + i);
                if (dst[i] == 0)
                    return (int64)i;
            }
            return -2;
        }

        /*
         * Copy len bytes from src to user address va of space (not necessarily the
         * current one), whatever the pages' rights; a PTE_COW page is copied first,
         * so no other address space sees the bytes. 0, or -1 where a page is not
         * mapped (or its copy found no memory).
         */
        int uvm_write(uint64 space, uint64 va, const void *src, uint64 len)
        {
            const uint8 *s = src;
            while (len > 0) {
                uint64 page = va & ~(uint64)(PGSIZE - 1);
                uint64 *e = uvm_walk(space, page, 0);
                uint64 off = va - page, n = PGSIZE - off < len ? PGSIZE - off : len;
                if (e == NULL || (*e & PTE_V) == 0 || ((*e & PTE_COW) && cow_fault(space, page) != 1))
                    return -1;
                memcpy((uint8 *)P2V(PTE_ADDR(*e)) + off, s, n);
                s += n;
                va += n;
                len -= n;
            }
            return 0;
        }

        /* mmap in the Exo window: len bytes of fresh zeroed pages, writable, at the lowest free run of the window. Their address, or 0. */
        uint64 uvm_alloc(uint64 space, uint64 len)
        {
            uint64 n = (len + PGSIZE - 1) / PGSIZE, run = 0, slots = USER_SIZE / PGSIZE;
            if (n == 0 || n > slots)
                return 0;
            for (uint64 i = 0; i < slots; i++) {
                run = uvm_page(space, USER_BASE + i * PGSIZE) != NULL ? 0 : run + 1;
                if (run < n)
                    continue;
                uint64 first = i + 1 - n;
                if (uvm_alloc_at(space, USER_BASE + first * PGSIZE, n * PGSIZE, UVM_WRITE) != 0)
                    return 0;
                return USER_BASE + first * PGSIZE;
            }
            return 0;
        }

        /* Map fresh zeroed pages with rights prot over [va, va + len), va page-aligned and nothing mapped there. 0, or -1 (nothing left mapped). */
        int uvm_alloc_at(uint64 space, uint64 va, uint64 len, int prot)
        {
            for (uint64 off = 0; off < len; off += PGSIZE) {
                if (uvm_map_zeroed(space, va + off, prot) == NULL) {
                    uvm_dealloc(space, va, off);
                    return -1;
                }
            }
            return 0;
        }

        /*
         * mprotect: give the mapped pages of [va, va+len) the rights prot. A page
         * still shared with another address space made writable becomes PTE_COW
         * instead, so the first write copies it. How many were mapped, or -1.
         */
        int64 uvm_protect(uint64 space, uint64 va, uint64 len, int prot)
        {
            int64 changed = 0;
            if ((va & (PGSIZE - 1)) != 0 || !user_range(va, len))
                return -1;
            for (uint64 page = va, skip; page < va + len && page >= va; page += skip) {
                uint64 *e = walk_range(space, page, &skip);
                if (e != NULL && (*e & PTE_V)) {
                    uint64 bits = prot_bits(prot);
                    if ((bits & PTE_W) && ((*e & PTE_COW) || page_shared(PTE_ADDR(*e))))
                        bits = (bits & ~(uint64)PTE_W) | PTE_COW;
                    *e = PA2PTE(PTE_ADDR(*e)) | bits;
                    changed++;
                    sfence_vma_page(page);
                }
            }
            return changed;
        }

        /* munmap: unmap the pages of [va, va+len) (each freed unless another address space holds it). How many were mapped, or -1. */
        int64 uvm_dealloc(uint64 space, uint64 va, uint64 len)
        {
            int64 freed = 0;
            if ((va & (PGSIZE - 1)) != 0 || !user_range(va, len))
                return -1;
            for (uint64 page = va, skip; page < va + len && page >= va; page += skip) {
                uint64 *e = walk_range(space, page, &skip);
                if (e != NULL && (*e & PTE_V)) {
                    user_page_put(PTE_ADDR(*e));
                    *e = 0;
                    freed++;
                    sfence_vma_page(page);
                }
            }
            return freed;
        }

        /* Free a table of the given level (2: 2 MiB entries, 1: 4 KiB leaves) and everything under it. */
        static void free_table(uint64 *table, int level)
        {
            for (int i = 0; i < 512; i++) {
                if ((table[i] & PTE_V) == 0)
                    continue;
                if (level > 1)
                    free_table(PTE_TABLE(table[i]), level - 1);
                else
                    user_page_put(PTE_ADDR(table[i]));
            }
            page_free(table, 0);
        }

        /* Free the address space and every user page in it: the lower half only, never the shared kernel half. The caller runs on another space. */
        void uvm_free(uint64 space)
        {
            uint64 *root = P2V(space);
            for (int i = 0; i < 256; i++)
                if (root[i] & PTE_V)
                    free_table(PTE_TABLE(root[i]), 2);
            page_free(root, 0);
        }
      `;
    });
  },
};
