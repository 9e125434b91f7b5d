// The riscv64 port's self-tests (arch/riscv64/selftest.c, through
// core/selftest/port-file.ts), run after the scheduler's: FP registers
// across switches (sstatus.FS), an illegal instruction and a page fault
// caught and resumed, W^X as the Sv39 tables and the ELF loader enforce it,
// fork's copy-on-write, and the signal frame. Their arch-neutral parts are
// core/selftest/{fpu,wx,cow}.ts; this file gives riscv64's words and checks.
// The assembly they call is testasm.S's.
import { cowForkTest } from "../../core/selftest/cow.ts";
import { fpuTest } from "../../core/selftest/fpu.ts";
import type { KernelConfig, SelfTest } from "../../core/selftest/test.ts";
import { exceptionRecoveryTest, wxFaultsTest, wxKernelTest, wxUserTest } from "../../core/selftest/wx.ts";
import { c } from "../../writer.ts";

/** The port's words for the shared trap and W^X tests (core/selftest/wx.ts). */
const words = {
  illegalFn: "test_illegal",
  illegalResume: "test_illegal_resume",
  illegal: "an illegal instruction",
  pageFault: "a load page fault",
  faultRegister: "stval",
  unmapped: "RAM_BASE",
  faults: "page faults",
  rodata: "rodata",
  rodataDeclaration: 'static const char rodata[] = "rodata";',
  ret: { bytes: 4, value: "0x00008067" },
  callFault: "A call into data faults on the fetch, with sepc there and ra set",
} as const;

/** wx_user's: how wx_kernel's count_pages adds up a user space's pages, and the rights of user code. */
const userWords = {
  countUserPages: "count_pages(P2V(space), 2, 0, PTE_U, n); /* the kernel's half has no PTE_U */",
  userCodeRights: "PTE_V | PTE_R | PTE_X | PTE_U",
  noExec: "",
} as const;

/** The FPU test's riscv64 words, and its lazy check: once the threads are gone, sstatus.FS is Off again. */
const fpuPort = {
  register: "an FP register",
  savesLabel: "saves (Dirty only) ",
  lazyCheck: ["if ((csr_read(sstatus) & SSTATUS_FS) != SSTATUS_FS_OFF)", '    return "sstatus.FS is on for a thread that never used the FPU";'],
};

/** The port's headers the tests read CSRs and page-table bits from. */
const headers = ["riscv.h", "memlayout.h", "arch.h"];

/** Sv39 walks: the rights of an address, and the pages of a tree that have some. */
const walkHelpers = c`
  #define RIGHTS (PTE_V | PTE_R | PTE_W | PTE_X | PTE_U)

  /* The rights (PTE_V, R, W, X, U) of address va in the address space root (physical): its leaf's, at whatever level. 0 when not mapped. */
  static uint64 page_rights(uint64 root, uint64 va)
  {
      const uint64 *table = P2V(root);
      for (int shift = 30; shift >= 12; shift -= 9) {
          uint64 e = table[(va >> shift) & 511];
          if ((e & PTE_V) == 0)
              return 0;
          if (e & PTE_LEAF)
              return e & RIGHTS;
          table = P2V(PTE_ADDR(e));
      }
      return 0;
  }

  /* Add up the 4 KiB pages under table (level 2 is a root, 0 a last-level table), from index first on, whose leaves hold every bit of need: n[0] executable, n[1] writable, n[2] both. */
  static void count_pages(const uint64 *table, int level, int first, uint64 need, uint64 n[3])
  {
      for (int i = first; i < 512; i++) {
          uint64 e = table[i];
          if ((e & PTE_V) == 0)
              continue;
          if ((e & PTE_LEAF) == 0) {
              count_pages(P2V(PTE_ADDR(e)), level - 1, 0, need, n);
              continue;
          }
          uint64 pages = 1UL << (9 * level), x = (e & PTE_X) != 0, w = (e & PTE_W) != 0;
          if ((e & need) == need) {
              n[0] += x ? pages : 0;
              n[1] += w ? pages : 0;
              n[2] += x && w ? pages : 0;
          }
      }
  }
`;

/** The rights of the kernel's own pages: text read-execute, everything else no-execute, nothing both writable and executable. */
const wxKernel = wxKernelTest({
  helpers: c`
    extern char __text_start[], __text_end[];
    /* A ret that must never run, in .data even if the compiler finds it never written. */
    static uint8 wx_code[16] __attribute__((section(".data"), aligned(4))) = { 0x67, 0x80, 0x00, 0x00 };
    ${walkHelpers}
  `,
  setup: c`
    uint64 root = arch_kernel_space(), text_pages = (uint64)(__text_end - __text_start) / PGSIZE;
    static const char rodata[] = "rodata"; /* a string literal's home */
  `,
  pages: [
    ["text", "(uint64)test_wx_kernel", "PTE_V | PTE_R | PTE_X"],
    ["rodata", "(uint64)rodata", "PTE_V | PTE_R"],
    ["data", "(uint64)wx_code", "PTE_V | PTE_R | PTE_W"],
    ["bss", "(uint64)&fpu_saves", "PTE_V | PTE_R | PTE_W"],
    ["stack", "(uint64)&root", "PTE_V | PTE_R | PTE_W"],
    ["heap", "(uint64)heap", "PTE_V | PTE_R | PTE_W"],
    ["direct map", "(uint64)P2V(RAM_BASE + RAM_MAX / 2)", "PTE_V | PTE_R | PTE_W"],
    ["low half", "RAM_BASE", "0", undefined, "boot_map's identity map is gone"],
  ],
  countKernelPages: "count_pages(P2V(root), 2, 0, 0, n);",
  checks: c`
    if ((csr_read(sstatus) & SSTATUS_SUM) == 0)
        return "sstatus.SUM is clear: the kernel cannot read user buffers";
  `,
  detail: "text RX, rodata R, data bss stack heap RW",
});

/**
 * The signal frame (sigframe.c), which only Linux programs reach through
 * rt_sigreturn: pushed on a user stack of a space of this thread's, the
 * handler's registers set, then popped back to the interrupted ones.
 */
const signalFrame: SelfTest = {
  name: "signal_frame",
  options: [],
  includes: ["frame.h", "process.h"],
  body: c`
    uint64 space = uvm_create(), top = USER_BASE + USER_SIZE, mask = 0, ret = 0;
    struct trapframe tf, saved;
    const char *why = NULL;
    if (space == 0 || uvm_alloc_at(space, top - 2 * PGSIZE, 2 * PGSIZE, UVM_WRITE) != 0)
        return "memory is out";
    memset(&tf, 0, sizeof tf);
    tf.sp = top - 64;
    tf.sepc = USER_BASE + 0x100;
    tf.a0 = 0xa0a0;
    tf.s11 = 0x5111;
    tf.t6 = 0x7666;
    saved = tf;
    thread_set_space(space); /* uvm_check reads the current thread's space */
    if (arch_signal_push(&tf, 10, USER_BASE + 0x200, USER_BASE + 0x300, 0x4242) != 0)
        why = "the frame was not pushed";
    else if (tf.sepc != USER_BASE + 0x200 || tf.ra != USER_BASE + 0x300 || tf.a0 != 10 || tf.a2 != tf.sp || tf.sp >= saved.sp || (tf.sp & 15) != 0)
        why = "the handler's registers are not set";
    else if (arch_signal_pop(&tf, &mask, &ret) != 0)
        why = "the frame did not pop";
    else if (memcmp(&tf, &saved, sizeof(uint64) * 31) != 0 || tf.sepc != saved.sepc || mask != 0x4242 || ret != 0xa0a0)
        why = "the interrupted registers, pc or mask did not come back";
    thread_set_space(arch_kernel_space());
    curthread->space = 0; /* a kernel thread again */
    uvm_free(space);
    if (why != NULL)
        return why;
    detail_str("x1-x31, pc, mask and FPU state pushed below sp and popped back");
  `,
};

/** The port's self-tests, in the order they run: x86_64's names, then what only this port's fork and signals need. */
export function selftests(k: KernelConfig): SelfTest[] {
  return [fpuTest(k.contextSwitch.lazyFpu, fpuPort), exceptionRecoveryTest(words), wxKernel, wxFaultsTest(words), wxUserTest(userWords), cowForkTest, signalFrame].map((t) => ({ ...t, includes: [...headers, ...(t.includes ?? [])] }));
}
