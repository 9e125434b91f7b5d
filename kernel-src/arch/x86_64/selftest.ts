// The x86_64 port's self-tests, which core/selftest.ts puts into core/selftest.c
// after the scheduler's: SSE state across switches (FXSAVE), #UD and #PF
// caught and resumed, and W^X as the page tables (PTE bits, EFER.NXE, CR0.WP)
// and the ELF loader enforce it. The assembly they call is testasm.S's.
import type { KernelConfig, SelfTest } from "../../core/selftest/test.ts";
import { c } from "../../writer.ts";

/** testasm.S's places to resume after a #UD (a bare ret) or a faulting read. */
const resumes = "extern void test_ud2_resume(void), test_read_resume(void);";

/** The port's headers the tests read registers and page-table bits from. */
const headers = ["cpu.h", "memlayout.h"];

/** Two threads keep their own SSE registers across switches; lazily, a thread that never used the FPU is never saved. */
function fpu(lazy: boolean): SelfTest {
  return {
    name: lazy ? "lazy_fpu" : "eager_fpu",
    options: ["kernel.contextSwitch.lazyFpu"],
    helpers: c`
      static volatile int fpu_bad;
      static void fpu_worker(void *arg)
      {
          uint64 v = (uint64)arg;
          fpu_test_put(v);
          for (int i = 0; i < 20; i++) {
              yield();
              if (fpu_test_get() != v)
                  fpu_bad = 1;
          }
      }
      static void no_fpu_worker(void *arg)
      {
          (void)arg;
          for (int i = 0; i < 20; i++)
              yield();
          if (curthread->fpu_used)
              fpu_bad = 2;
      }
    `,
    body: c`
      struct thread *t[3];
      fpu_bad = 0;
      uint64 saves = fpu_saves;
      t[0] = thread_create("fpu-a", fpu_worker, (void *)0x1111222233334444UL);
      t[1] = thread_create("fpu-b", fpu_worker, (void *)0x5555666677778888UL);
      t[2] = thread_create("no-fpu", no_fpu_worker, NULL);
      if (t[0] == NULL || t[1] == NULL || t[2] == NULL)
          return "thread_create failed";
      for (int i = 0; i < 3; i++)
          thread_run(t[i]);
      for (int i = 0; i < 3; i++)
          thread_join(t[i]);
      if (fpu_bad == 1)
          return "an SSE register changed across a switch";
      if (fpu_bad == 2 && ${lazy ? 1 : 0})
          return "a thread that never used the FPU had its state saved";
      saves = fpu_saves - saves;
      detail_str("fxsaves ");
      detail_num(saves);
    `,
  };
}

const exceptionRecovery: SelfTest = {
  name: "exception_recovery",
  options: [],
  declarations: [resumes],
  body: c`
    uint64 cr2, rip;
    trap_expect(6, test_ud2_resume);
    test_ud2();
    if (!trap_caught(&cr2, &rip) || rip != (uint64)test_ud2)
        return "#UD was not caught at the ud2";
    trap_expect(14, test_read_resume);
    if (test_read(0x80000000UL) != 0 || !trap_caught(&cr2, &rip) || cr2 != 0x80000000UL)
        return "#PF did not report the faulting address in CR2";
    detail_str("#UD and #PF caught, cr2 ");
    detail_hex(cr2);
  `,
};

/** The rights of the kernel's own pages: text read-execute, everything else no-execute, nothing both writable and executable. */
const wxKernel: SelfTest = {
  name: "wx_kernel",
  options: [],
  helpers: c`
    extern char __text_start[], __text_end[];
    /* A ret that must never run, in .data even if the compiler finds it never written. */
    static uint8 wx_code[16] __attribute__((section(".data"))) = { 0xc3 };

    /* The rights of address va in address space pml4 (physical), every level of
       the walk combined as the CPU does: PTE_P, PTE_W, PTE_U if all levels have
       them, PTE_NX if any has it. 0 when va is not mapped. */
    static uint64 page_rights(uint64 pml4, uint64 va)
    {
        const uint64 *table = P2V(pml4);
        uint64 rights = PTE_P | PTE_W | PTE_U, nx = 0;
        for (int shift = 39; shift >= 12; shift -= 9) {
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
  body: c`
    uint64 cr3 = kernel_cr3(), n[3] = { 0, 0, 0 };
    uint64 text_pages = (uint64)(__text_end - __text_start) / 4096;
    if ((rdmsr(MSR_EFER) & EFER_NXE) == 0 || pte_nx != PTE_NX)
        return "EFER.NXE is clear: no page can be no-execute";
    if ((read_cr0() & CR0_WP) == 0)
        return "CR0.WP is clear: the kernel can write its read-only pages";
    uint8 *heap = page_alloc(0);
    if (heap == NULL)
        return "page_alloc failed";
    const struct { const char *what; uint64 va, want; } pages[] = {
        { "text", (uint64)selftest_run, PTE_P },
        { "rodata", (uint64)build_system_name, PTE_P | PTE_NX },
        { "data", (uint64)wx_code, PTE_P | PTE_W | PTE_NX },
        { "bss", (uint64)detail, PTE_P | PTE_W | PTE_NX },
        { "stack", (uint64)&cr3, PTE_P | PTE_W | PTE_NX },
        { "heap", (uint64)heap, PTE_P | PTE_W | PTE_NX },
        { "direct map", (uint64)P2V(0x20000000UL), PTE_P | PTE_W | PTE_NX },
        { "low half", 0x20000000UL, 0 }, /* boot.S's map at 0 is gone */
    };
    page_free(heap, 0); /* its address stays in the direct map */
    for (uint32 i = 0; i < sizeof pages / sizeof pages[0]; i++) {
        uint64 got = page_rights(cr3, pages[i].va);
        if (got != pages[i].want) {
            detail_str(pages[i].what);
            detail_str(" page has rights ");
            detail_hex(got);
            return detail;
        }
    }
    count_pages(P2V(cr3), 3, PTE_W | PTE_U, 0, n);
    if (n[2] != 0)
        return "a kernel page is writable and executable";
    if (n[0] != text_pages)
        return "a kernel page other than text is executable";
    detail_str("EFER.NXE, CR0.WP; text RX, rodata R NX, data bss stack heap RW NX; pages executable ");
    detail_num(n[0]);
    detail_str(", writable ");
    detail_num(n[1]);
    detail_str(", both 0");
  `,
};

/** Writing text or rodata, or calling into data or the heap, faults. */
const wxFaults: SelfTest = {
  name: "wx_faults",
  options: [],
  declarations: [resumes],
  helpers: c`
    extern void test_write_resume(void);

    /* Whether the #PF armed for came at address cr2_want (with RIP rip_want,
       unless 0). Disarms it: a fault that did not come must not catch a later one. */
    static int faulted(uint64 cr2_want, uint64 rip_want)
    {
        uint64 cr2, rip;
        int caught = trap_caught(&cr2, &rip);
        trap_expect(14, NULL);
        return caught && cr2 == cr2_want && (rip_want == 0 || rip == rip_want);
    }
  `,
  body: c`
    /* Writes store the byte already there, so one wrongly allowed changes nothing. */
    const uint8 *text = (const uint8 *)(uint64)test_ud2;
    trap_expect(14, test_write_resume);
    test_write((uint64)text, *text);
    if (!faulted((uint64)text, 0))
        return "a write to kernel text did not fault";
    trap_expect(14, test_write_resume);
    test_write((uint64)build_system_name, (uint8)build_system_name[0]);
    if (!faulted((uint64)build_system_name, 0))
        return "a write to kernel rodata did not fault";
    uint8 *heap = page_alloc(0);
    if (heap == NULL)
        return "page_alloc failed";
    memset(heap, 0xc3, 4096); /* ret: should the call below run it, it just returns */
    /* A call into data faults on the fetch, with RIP there and the return address
       pushed; test_ud2_resume is a bare ret, which comes back here. */
    const uint8 *targets[2] = { wx_code, heap };
    int ran = -1;
    for (int i = 0; i < 2 && ran < 0; i++) {
        trap_expect(14, test_ud2_resume);
        ((void (*)(void))(uint64)targets[i])();
        if (!faulted((uint64)targets[i], (uint64)targets[i]))
            ran = i;
    }
    page_free(heap, 0);
    if (ran >= 0)
        return ran == 0 ? "a call into kernel data did not fault" : "a call into a heap page did not fault";
    detail_str("#PF writing text and rodata, calling into data and heap");
  `,
};

/** A user ELF's pages get their segment's rights, and a writable and executable segment is refused. */
const wxUser: SelfTest = {
  name: "wx_user",
  options: [],
  body: c`
    const uint8 *data;
    uint64 len, n[3] = { 0, 0, 0 };
    struct elf_info info;
    uint32 order = 0;
    if (!initrd_lookup("bin/usertest", &data, &len))
        return "bin/usertest is not in the initrd";
    uint64 pml4 = uvm_create();
    if (pml4 == 0)
        return "uvm_create failed";
    int r = elf_load(pml4, data, len, &info);
    if (r == 0)
        count_pages(P2V(pml4), 3, PTE_W | PTE_U, PTE_U, n);
    uint64 at_entry = r == 0 ? page_rights(pml4, info.entry) : 0;
    uvm_free(pml4);
    if (r != 0)
        return "bin/usertest does not load";
    if (at_entry != (PTE_P | PTE_U))
        return "the entry page of bin/usertest is not read-execute";
    if (n[2] != 0 || n[0] == 0 || n[1] == 0)
        return "bin/usertest's pages are not code RX and data RW NX";
    /* The same file with its first PT_LOAD writable and executable is refused. */
    while ((4096UL << order) < len)
        order++;
    uint8 *bad = page_alloc(order);
    if (bad == NULL)
        return "page_alloc failed";
    memcpy(bad, data, len);
    uint64 phoff, wx_pml4 = uvm_create();
    uint32 rwx = 7, type;
    memcpy(&phoff, bad + 32, 8);
    for (uint8 *ph = bad + phoff; ph + 56 <= bad + len; ph += 56) {
        memcpy(&type, ph, 4);
        if (type == 1) { /* PT_LOAD: p_flags follows p_type */
            memcpy(ph + 4, &rwx, 4);
            break;
        }
    }
    r = wx_pml4 == 0 ? 0 : elf_load(wx_pml4, bad, len, &info);
    if (wx_pml4 != 0)
        uvm_free(wx_pml4);
    page_free(bad, order);
    if (r != -ENOEXEC)
        return "a writable and executable segment was loaded";
    detail_str("bin/usertest: code pages ");
    detail_num(n[0]);
    detail_str(" RX, data pages ");
    detail_num(n[1]);
    detail_str(" RW NX; a W+X segment: -ENOEXEC");
  `,
};

/** The port's self-tests, in the order they run. */
export function selftests(k: KernelConfig): SelfTest[] {
  return [fpu(k.contextSwitch.lazyFpu), exceptionRecovery, wxKernel, wxFaults, wxUser].map((t) => ({ ...t, includes: headers }));
}
