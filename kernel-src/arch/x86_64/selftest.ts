// The x86_64 port's self-tests (arch/x86_64/selftest.c, through
// core/selftest/port-file.ts), run after the scheduler's: SSE state across
// switches (FXSAVE), #UD and #PF caught and resumed, W^X as the page tables
// (PTE bits, EFER.NXE, CR0.WP) and the ELF loader enforce it, and fork's
// copy-on-write. Their arch-neutral parts are core/selftest/{fpu,wx,cow}.ts;
// this file gives x86_64's words and checks. The assembly they call is
// testasm.S's.
import { cowForkTest } from "../../core/selftest/cow.ts";
import { fpuTest } from "../../core/selftest/fpu.ts";
import type { KernelConfig, SelfTest } from "../../core/selftest/test.ts";
import { exceptionRecoveryTest, wxFaultsTest, wxKernelTest, wxUserTest } from "../../core/selftest/wx.ts";
import { c } from "../../writer.ts";
import { USER_MODES } from "../../core/initcode-modes.ts";
import { syscallTiers } from "../../features.ts";

/** The port's words for the shared trap and W^X tests (core/selftest/wx.ts). */
const words = {
  illegalFn: "test_ud2",
  illegalResume: "test_ud2_resume",
  illegal: "#UD",
  pageFault: "#PF",
  faultRegister: "CR2",
  unmapped: "0x80000000UL",
  faults: "#PF",
  rodata: "build_system_name",
  ret: { bytes: 1, value: "0xc3" },
  callFault: "A call into data faults on the fetch, with RIP there and the return address pushed",
} as const;

/** wx_user's: how wx_kernel's count_pages adds up a user space's pages, and the rights of user code. */
const userWords = {
  countUserPages: "count_pages(P2V(space), 3, PTE_W | PTE_U, PTE_U, n);",
  userCodeRights: "PTE_P | PTE_U",
  noExec: "NX",
} as const;

/** The port's headers the tests read registers and page-table bits from. */
const headers = ["arch.h", "cpu.h", "memlayout.h"];

/** The rights of the kernel's own pages: text read-execute, everything else no-execute, nothing both writable and executable. */
const wxKernel = wxKernelTest({
  helpers: c`
    extern char __text_start[], __text_end[];
    /* A ret that must never run, in .data even if the compiler finds it never written. */
    static uint8 wx_code[16] __attribute__((section(".data"))) = { 0xc3 };
    /* A zero variable: in .bss. */
    static uint64 wx_bss;

    /* The rights of address va in address space pml4 (physical), every level of
       the walk combined as the CPU does: PTE_P, PTE_W, PTE_U if all levels have
       them, PTE_NX if any has it. 0 when va is not mapped. */
    static uint64 page_rights(uint64 pml4, uint64 va)
    {
        const uint64 *table = P2V(pml4);
        uint64 rights = PTE_P | PTE_W | PTE_U, nx = 0;
        for (int shift = 39; shift >= PGSHIFT; shift -= 9) {
            uint64 e = table[(va >> shift) & 511];
            if ((e & PTE_P) == 0)
                return 0;
            rights &= e;
            nx |= e & PTE_NX;
            if (shift == 12 || (e & PTE_PS) != 0) /* a 4 KiB page, or a large one */
                return rights | nx;
            table = P2V(PTE_ADDR(e));
        }
        return 0;
    }

    /* Add up the 4 KiB pages under table (level 3 is a PML4, 0 a page table)
       whose combined rights hold every bit of need: n[0] executable, n[1]
       writable, n[2] both. rights: what the levels above allow (PTE_NX: forbid). */
    static void count_pages(const uint64 *table, int level, uint64 rights, uint64 need, uint64 n[3])
    {
        for (int i = 0; i < 512; i++) {
            uint64 e = table[i];
            if ((e & PTE_P) == 0)
                continue;
            uint64 r = (rights & e & (PTE_W | PTE_U)) | ((rights | e) & PTE_NX);
            if (level > 0 && (e & PTE_PS) == 0) {
                count_pages(P2V(PTE_ADDR(e)), level - 1, r, need, n);
                continue;
            }
            uint64 pages = 1UL << (9 * level), x = (r & PTE_NX) == 0, w = (r & PTE_W) != 0;
            if ((r & need) == need) {
                n[0] += x ? pages : 0;
                n[1] += w ? pages : 0;
                n[2] += x && w ? pages : 0;
            }
        }
    }
  `,
  setup: c`
    uint64 root = kernel_cr3(), text_pages = (uint64)(__text_end - __text_start) / PGSIZE;
    if ((rdmsr(MSR_EFER) & EFER_NXE) == 0 || pte_nx != PTE_NX)
        return "EFER.NXE is clear: no page can be no-execute";
    if ((read_cr0() & CR0_WP) == 0)
        return "CR0.WP is clear: the kernel can write its read-only pages";
  `,
  pages: [
    ["text", "(uint64)selftest_run", "PTE_P"],
    ["rodata", "(uint64)build_system_name", "PTE_P | PTE_NX"],
    ["data", "(uint64)wx_code", "PTE_P | PTE_W | PTE_NX"],
    ["bss", "(uint64)&wx_bss", "PTE_P | PTE_W | PTE_NX"],
    ["stack", "(uint64)&root", "PTE_P | PTE_W | PTE_NX"],
    ["heap", "(uint64)heap", "PTE_P | PTE_W | PTE_NX"],
    ["direct map", "(uint64)P2V(0x20000000UL)", "PTE_P | PTE_W | PTE_NX"],
    ["low half", "0x20000000UL", "0", undefined, "boot.S's map at 0 is gone"],
  ],
  countKernelPages: "count_pages(P2V(root), 3, PTE_W | PTE_U, 0, n);",
  detail: "EFER.NXE, CR0.WP; text RX, rodata R NX, data bss stack heap RW NX",
});

/** The port's self-tests, in the order they run. */
/**
 * The hot tier's ways that save nothing (the null syscall, the argument-less
 * hot0 entries such as getpid): a user program sets every register but RAX,
 * RCX and R11, makes them, and finds each as it was (initcode's regs mode).
 */
function hotRegsTest(k: KernelConfig): SelfTest[] {
  const built = new Set(syscallTiers(k).flatMap((t) => t.syscalls.map((s) => s.name)));
  if (!built.has("exit")) return [];
  const names = ["RBX", "RDX", "RSI", "RDI", "RBP", "R8", "R9", "R10", "R12", "R13", "R14", "R15"];
  return [
    {
      name: "hot_regs",
      options: ["kernel.syscalls.hot", "kernel.syscalls.warm", "kernel.syscalls.cold"],
      helpers: c`
        static const char *const hot_regs_names[] = { ${names.map((n) => `"${n}"`).join(", ")} };
      `,
      body: c`
        int killed;
        int64 r = run_builtin("regs", CAP_ALL, ${USER_MODES.regs}, 0, &killed);
        if (r == NOT_STARTED || killed)
            return "the register program did not run to its exit";
        if (r > 0 && r <= ${names.length}) {
            detail_str(hot_regs_names[r - 1]);
            return "a register changed across the null syscall or getpid";
        }
        if (r != 0)
            return "the register program exited with a status of its own";
        detail_str("${built.has("getpid") ? "null syscall and getpid" : "null syscall"}: every register but RAX, RCX, R11 kept");
      `,
    },
  ];
}

export function selftests(k: KernelConfig): SelfTest[] {
  return [fpuTest(k.contextSwitch.lazyFpu, { register: "an SSE register", savesLabel: "fxsaves " }), exceptionRecoveryTest(words), wxKernel, wxFaultsTest(words), wxUserTest(userWords), cowForkTest, ...hotRegsTest(k)].map((t) => ({ ...t, includes: [...headers, ...(t.includes ?? [])] }));
}
