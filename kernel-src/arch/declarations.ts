// The parts of include/defs.h every port declares alike: the functions of its
// own files that the core calls (kernel-src/README.md, "The arch contract"),
// by the same names and signatures on every port. Each port's
// declarations.ts puts them in its groups, beside what only it has.
import type { KernelConfig } from "../core/selftest/test.ts";

/** fpu.c: the FPU policy's entry points for the scheduler, fork, signals and the self-tests. */
export const fpuDeclarations = (k: KernelConfig): string[] => [
  "extern uint64 fpu_saves;",
  "void fpu_init(void);",
  "void fpu_switch(struct thread *old, struct thread *next);",
  "void fpu_forget(struct thread *t);",
  "void fpu_copy_current(uint8 *dst);",
  "void fpu_load_current(uint8 *src);",
  "void fpu_give(struct thread *t, const uint8 *src);",
  ...(k.contextSwitch.lazyFpu ? ["void fpu_trap(void);"] : []),
];

/** vm.c: user address spaces. */
export const UVM_DECLARATIONS: readonly string[] = [
  "#define UVM_WRITE 1  /* uvm_map's prot: read-write, never executable; 0 is read-execute */",
  "#define UVM_NOEXEC 2 /* ... read-only, not executable */",
  "uint64 uvm_create(void);",
  "int uvm_map(uint64 space, uint64 va, void *pa, int prot);",
  "int uvm_write(uint64 space, uint64 va, const void *src, uint64 len);",
  "int uvm_alloc_at(uint64 space, uint64 va, uint64 len, int prot);",
  "int64 uvm_protect(uint64 space, uint64 va, uint64 len, int prot);",
  "void *uvm_map_zeroed(uint64 space, uint64 va, int prot);",
  "void *uvm_page(uint64 space, uint64 va);",
  "int64 uvm_copy_str(char *dst, uint64 va, uint64 n);",
  "int uvm_check(uint64 va, uint64 len, int write);",
  "uint64 uvm_alloc(uint64 space, uint64 len);",
  "int64 uvm_dealloc(uint64 space, uint64 va, uint64 len);",
  "void uvm_free(uint64 space);",
  "uint64 *uvm_walk(uint64 space, uint64 va, int alloc); /* the leaf PTE of user address va (a kernel pointer), tables made when alloc; NULL if none */",
];

/** testasm.S, in test builds: the core's register and FPU helpers, and the port's trap tests' (`illegal`: the function that runs an illegal instruction). */
export const testasmDeclarations = (illegal: string): string[] => [
  "int test_callee_saved(void (*fn)(void), uint64 seed);",
  "void test_clobber(void (*fn)(void));",
  "void fpu_test_put(uint64 v);",
  "uint64 fpu_test_get(void);",
  `void ${illegal}(void);`,
  "uint64 test_read(uint64 addr);",
  "void test_write(uint64 addr, uint8 v);",
];

/** trap.c, in test builds: arch_trap_expect and arch_trap_caught's port side. */
export const TRAP_TEST_DECLARATIONS: readonly string[] = ["void trap_expect(uint32 kind, void *resume);", "int trap_caught(uint64 *addr, uint64 *pc);"];
