// The copy-on-write test every port runs (arch/<arch>/selftest.ts lists it):
// core/cow.c, which fork uses and no Exo program reaches. A forked space
// shares the pages, writable ones read-only and copy-on-write in both; the
// first write copies (or, for the last holder, just unprotects); freeing
// both spaces gives every page back. The port's include/cow.h says what a
// leaf's bits mean (pte_writable, pte_cow).
import { c } from "../../writer.ts";
import type { SelfTest } from "./test.ts";

export const cowForkTest: SelfTest = {
  name: "cow_fork",
  options: [],
  includes: ["memlayout.h", "cow.h"],
  body: c`
    uint64 before = buddy_free_pages(), parent = uvm_create(), child = 0;
    const char *why = NULL;
    uint8 x = 0xa5;
    uint8 *data = parent == 0 ? NULL : uvm_map_zeroed(parent, USER_BASE, UVM_WRITE);
    if (data == NULL || uvm_map_zeroed(parent, USER_BASE + PGSIZE, 0) == NULL || (child = uvm_fork(parent)) == 0)
        return "memory is out";
    data[0] = 0x5a;
    uint64 *pe = uvm_walk(parent, USER_BASE, 0), *ce = uvm_walk(child, USER_BASE, 0);
    uint64 *pc = uvm_walk(parent, USER_BASE + PGSIZE, 0), *cc = uvm_walk(child, USER_BASE + PGSIZE, 0);
    if (pte_writable(*pe) || !pte_cow(*pe) || *ce != *pe || !page_shared(PTE_ADDR(*pe)))
        why = "a writable page is not shared read-only and copy-on-write after the fork";
    else if (pte_writable(*cc) || pte_cow(*cc) || *cc != *pc || !page_shared(PTE_ADDR(*pc)))
        why = "a read-execute page is not shared as it was";
    else if (cow_fault(child, USER_BASE) != 1 || !pte_writable(*ce) || pte_cow(*ce) || PTE_ADDR(*ce) == PTE_ADDR(*pe))
        why = "the child's first write did not get a copy of its own";
    else if (*(uint8 *)P2V(PTE_ADDR(*ce)) != 0x5a || page_shared(PTE_ADDR(*pe)))
        why = "the copy lost the data, or the parent's page is still counted shared";
    else if (cow_fault(parent, USER_BASE) != 1 || !pte_writable(*pe) || pte_cow(*pe) || P2V(PTE_ADDR(*pe)) != data)
        why = "the last holder's write did not just unprotect its page";
    else if (cow_fault(parent, USER_BASE + PGSIZE) != 0)
        why = "a read-execute page was taken for copy-on-write";
    else if (uvm_write(child, USER_BASE + 1, &x, 1) != 0 || data[1] != 0)
        why = "a write to the child's copy reached the parent";
    uvm_free(child);
    uvm_free(parent);
    if (why == NULL && buddy_free_pages() != before)
        why = "freeing both spaces did not give every page back";
    if (why != NULL)
        return why;
    detail_str("shared read-only and copy-on-write, copied on the child's write, unprotected on the parent's, no page lost");
  `,
};
