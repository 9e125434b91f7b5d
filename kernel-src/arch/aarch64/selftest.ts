// The aarch64 port's self-tests (arch/aarch64/selftest.c, through
// core/selftest/port-file.ts), run after the scheduler's: FP/SIMD state
// across switches (lazy through CPACR_EL1.FPEN, or eager), an undefined
// instruction and a data abort caught and resumed, W^X as the translation
// tables (AP[2], PXN, UXN, SCTLR.WXN) and the ELF loader enforce it, and
// fork's copy-on-write. Their arch-neutral parts are
// core/selftest/{fpu,wx,cow}.ts; this file gives aarch64's words and checks.
// The assembly they call is testasm.S's.
import { cowForkTest } from "../../core/selftest/cow.ts";
import { fpuTest } from "../../core/selftest/fpu.ts";
import type { KernelConfig, SelfTest } from "../../core/selftest/test.ts";
import { exceptionRecoveryTest, wxFaultsTest, wxKernelTest, wxUserTest } from "../../core/selftest/wx.ts";
import { c } from "../../writer.ts";

/** The port's words for the shared trap and W^X tests (core/selftest/wx.ts). */
const words = {
  illegalFn: "test_undef",
  illegalResume: "test_undef_resume",
  illegal: "an undefined instruction",
  pageFault: "a data abort",
  faultRegister: "FAR_EL1",
  unmapped: "0x80000000UL",
  faults: "aborts",
  rodata: "build_system_name",
  ret: { bytes: 4, value: "0xd65f03c0" },
  callFault: "A call into data is an instruction abort with PC there and x30 the way back",
} as const;

/** wx_user's: how wx_kernel's count_pages adds up a user space's pages, and the rights of user code. */
const userWords = {
  countUserPages: "count_pages(P2V(space), 0, R_USER, n);",
  userCodeRights: "R_READ | R_USER | R_UEXEC",
  noExec: "XN",
} as const;

/** The port's headers the tests read registers and table bits from. */
const headers = ["arch.h", "cpu.h", "memlayout.h"];

/** Rights of a mapping as the tests compare them, whatever the descriptor bits. */
const rights = c`
  #define R_READ 1   /* valid */
  #define R_WRITE 2  /* AP[2] clear */
  #define R_EXEC 4   /* EL1 may execute: PXN clear */
  #define R_USER 8   /* EL0 may access: AP[1] */
  #define R_UEXEC 16 /* EL0 may execute: UXN clear */
`;

/** The rights of the kernel's own pages: text read-execute, everything else never executed, nothing both writable and executable. */
const wxKernel = wxKernelTest({
  helpers: c`
    ${rights}
    extern char __image_start[], __text_end[];
    /* A ret that must never run, in .data even if the compiler finds it never written. */
    static uint32 wx_code[4] __attribute__((section(".data"))) = { 0xd65f03c0 };
    /* Something in bss for sure. */
    static uint64 wx_bss;

    static uint64 leaf_rights(uint64 e)
    {
        uint64 r = R_READ;
        if ((e & PTE_RDONLY) == 0)
            r |= R_WRITE;
        if ((e & PTE_PXN) == 0)
            r |= R_EXEC;
        if (e & PTE_USER)
            r |= R_USER;
        if ((e & PTE_UXN) == 0)
            r |= R_UEXEC;
        return r;
    }

    /* The rights of address va under root (physical, either TTBR's tables): a
       level-3 page, or a level-1/2 block. 0 when va is not mapped. */
    static uint64 page_rights(uint64 root, uint64 va)
    {
        const uint64 *table = P2V(root);
        for (int shift = 39; shift >= PGSHIFT; shift -= 9) {
            uint64 e = table[(va >> shift) & 511];
            if ((e & PTE_VALID) == 0)
                return 0;
            if (shift == PGSHIFT || (e & PTE_TABLE) == 0) /* a page, or a block */
                return leaf_rights(e);
            table = P2V(PTE_ADDR(e));
        }
        return 0;
    }

    /* Add up the 4 KiB pages under table (level 0 is a root, 3 a last-level
       table) whose rights hold every bit of need: n[0] executable (at EL1 or
       EL0), n[1] writable, n[2] both. */
    static void count_pages(const uint64 *table, int level, uint64 need, uint64 n[3])
    {
        for (int i = 0; i < 512; i++) {
            uint64 e = table[i];
            if ((e & PTE_VALID) == 0)
                continue;
            if (level < 3 && (e & PTE_TABLE) != 0) {
                count_pages(P2V(PTE_ADDR(e)), level + 1, need, n);
                continue;
            }
            uint64 r = leaf_rights(e), pages = 1UL << (9 * (3 - level));
            uint64 x = (r & (R_EXEC | R_UEXEC)) != 0, w = (r & R_WRITE) != 0;
            if ((r & need) == need) {
                n[0] += x ? pages : 0;
                n[1] += w ? pages : 0;
                n[2] += x && w ? pages : 0;
            }
        }
    }

    /* TTBR1's root, the kernel's half (physical). */
    static uint64 kernel_root(void)
    {
        return PTE_ADDR(read_sysreg(ttbr1_el1));
    }
  `,
  setup: c`
    uint64 root = kernel_root();
    /* The image's pages are seen twice: at KIMAGE_BASE and in the direct map, through one table. */
    uint64 text_pages = 2 * ((uint64)(__text_end - __image_start) / PGSIZE);
    if ((read_sysreg(sctlr_el1) & SCTLR_WXN) == 0)
        return "SCTLR_EL1.WXN is clear: a writable page may execute";
  `,
  afterHeap: c`
    /* A RAM block of the direct map that is not the image's (whose pages have their segments' rights). */
    uint64 ram = RAM_BASE + 0x6000000UL;
    if ((ram & ~(BOOT_PAGE_SIZE - 1)) == kimage_phys)
        ram += BOOT_PAGE_SIZE;
  `,
  pages: [
    ["text", "(uint64)selftest_run", "R_READ | R_EXEC"],
    ["text in the direct map", "(uint64)P2V(V2P(selftest_run))", "R_READ | R_EXEC"],
    ["rodata in the direct map", "(uint64)P2V(V2P(build_system_name))", "R_READ"],
    ["rodata", "(uint64)build_system_name", "R_READ"],
    ["data", "(uint64)wx_code", "R_READ | R_WRITE"],
    ["bss", "(uint64)&wx_bss", "R_READ | R_WRITE"],
    ["stack", "(uint64)&root", "R_READ | R_WRITE"],
    ["heap", "(uint64)heap", "R_READ | R_WRITE"],
    ["direct map", "(uint64)P2V(ram)", "R_READ | R_WRITE"],
    ["devices", "(uint64)P2V(UART_PHYS)", "R_READ | R_WRITE"],
    ["low half", "RAM_BASE", "0", "kernel_space()", "boot.S's identity map is gone"],
  ],
  countKernelPages: "count_pages(P2V(root), 0, 0, n);",
  detail: "SCTLR.WXN; text RX, rodata R (at KIMAGE_BASE and in the direct map), data bss stack heap devices RW XN",
});

/** The port's self-tests, in the order they run. */
export function selftests(k: KernelConfig): SelfTest[] {
  return [fpuTest(k.contextSwitch.lazyFpu, { register: "an FP/SIMD register", savesLabel: "q-register saves " }), exceptionRecoveryTest(words), wxKernel, wxFaultsTest(words), wxUserTest(userWords), cowForkTest].map((t) => ({ ...t, includes: [...headers, ...(t.includes ?? [])] }));
}
