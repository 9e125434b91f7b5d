// The trap and W^X tests every port runs (arch/<arch>/selftest.ts lists
// them): an illegal instruction and a faulting read caught and resumed;
// writes to kernel text and rodata and calls into data and the heap fault;
// a user ELF gets its segments' rights and a writable and executable one is
// refused; the kernel's own pages have their segments' rights. The port
// gives its words (the trap names, the instruction a return is) and its
// page-table checks: wx_kernel's helpers define wx_code (a ret in .data),
// page_rights(space, va) and count_pages(table, ..., n), which wx_faults
// and wx_user use after it.
import { c } from "../../writer.ts";
import type { SelfTest } from "./test.ts";

export interface TrapWords {
  /** testasm.S's function that runs an illegal instruction, and where to resume after its trap (a bare ret). */
  readonly illegalFn: string;
  readonly illegalResume: string;
  /** The traps and the register of the faulting address, as failures name them: "#UD", "#PF", "CR2". */
  readonly illegal: string;
  readonly pageFault: string;
  readonly faultRegister: string;
  /** An address no kernel page is at, for a read that must fault: "0x80000000UL". */
  readonly unmapped: string;
}

/** testasm.S's functions the tests resume at. */
const resumes = (t: TrapWords): string => `extern void ${t.illegalResume}(void), test_read_resume(void), test_write_resume(void);`;

export function exceptionRecoveryTest(t: TrapWords): SelfTest {
  return {
    name: "exception_recovery",
    options: [],
    declarations: [resumes(t)],
    body: c`
      uint64 addr, pc;
      arch_trap_expect(ARCH_TRAP_ILLEGAL, ${t.illegalResume});
      ${t.illegalFn}();
      if (!arch_trap_caught(&addr, &pc) || pc != (uint64)${t.illegalFn})
          return "${t.illegal} was not caught where it ran";
      arch_trap_expect(ARCH_TRAP_PAGE, test_read_resume);
      if (test_read(${t.unmapped}) != 0 || !arch_trap_caught(&addr, &pc) || addr != ${t.unmapped})
          return "${t.pageFault} did not report the faulting address in ${t.faultRegister}";
      detail_str("${t.illegal} and ${t.pageFault} caught, ${t.faultRegister} ");
      detail_hex(addr);
    `,
  };
}

export interface WxKernelWords {
  /** C before the test: wx_code, page_rights, count_pages and what they need. */
  readonly helpers: string;
  /** C that defines `root` (the kernel's page-table root, physical) and `text_pages` (how many executable pages the kernel has), and checks the CPU's W^X switches. */
  readonly setup: string;
  /** C after the heap page is taken (before the table below). */
  readonly afterHeap?: string;
  /** The pages to check: what each is, its address, the rights page_rights must find, the root to look in (root unless said), and why, when it needs saying. */
  readonly pages: readonly (readonly [what: string, va: string, want: string, root?: string, why?: string])[];
  /** A C statement adding up the kernel's pages under root into n (count_pages). */
  readonly countKernelPages: string;
  /** C checks after the count. */
  readonly checks?: string;
  /** The detail line before the counts: "SCTLR.WXN; text RX, ...". */
  readonly detail: string;
}

/** The rights of the kernel's own pages: text read-execute, everything else never executed, nothing both writable and executable. */
export function wxKernelTest(t: WxKernelWords): SelfTest {
  const rows = t.pages.map(([what, va, want, root, why]) => `{ "${what}", ${root ?? "root"}, ${va}, ${want} },${why === undefined ? "" : ` /* ${why} */`}`);
  return {
    name: "wx_kernel",
    options: [],
    helpers: t.helpers,
    body: c`
      uint64 n[3] = { 0, 0, 0 };
      ${t.setup}
      uint8 *heap = page_alloc(0);
      if (heap == NULL)
          return "page_alloc failed";
      ${t.afterHeap ?? ""}
      /* What each page must allow: its segment's rights. */
      const struct {
          const char *what;
          uint64 root, va, want;
      } pages[] = {
          ${rows}
      };
      page_free(heap, 0); /* its address stays in the direct map */
      for (uint32 i = 0; i < sizeof pages / sizeof pages[0]; i++) {
          uint64 got = page_rights(pages[i].root, pages[i].va);
          if (got != pages[i].want) {
              detail_str(pages[i].what);
              detail_str(" page has rights ");
              detail_hex(got);
              return "a kernel page has other rights than its segment's (detail)";
          }
      }
      ${t.countKernelPages}
      if (n[2] != 0)
          return "a kernel page is writable and executable";
      if (n[0] != text_pages)
          return "a kernel page other than text is executable";
      ${t.checks ?? ""}
      detail_str("${t.detail}; pages executable ");
      detail_num(n[0]);
      detail_str(", writable ");
      detail_num(n[1]);
      detail_str(", both 0");
    `,
  };
}

export interface WxFaultWords extends TrapWords {
  /** The faults as the detail line names them: "#PF", "aborts". */
  readonly faults: string;
  /** A read-only object of the kernel (an expression), and its declaration when the test must make one. */
  readonly rodata: string;
  readonly rodataDeclaration?: string;
  /** The port's return instruction, filling a heap page: one byte (memset) or a 32-bit word. */
  readonly ret: { readonly bytes: 1 | 4; readonly value: string };
  /** How a call into data faults, and how the way back is kept: "A call into data faults on the fetch, with RIP there and the return address pushed". */
  readonly callFault: string;
}

/** Writing text or rodata, or calling into data or the heap, faults. */
export function wxFaultsTest(t: WxFaultWords): SelfTest {
  const fill =
    t.ret.bytes === 1
      ? c`
          uint8 *heap = page_alloc(0);
          if (heap == NULL)
              return "page_alloc failed";
          memset(heap, ${t.ret.value}, PGSIZE); /* ret: should the call below run it, it just returns */
        `
      : c`
          uint32 *heap = page_alloc(0);
          if (heap == NULL)
              return "page_alloc failed";
          for (uint32 i = 0; i < PGSIZE / 4; i++)
              heap[i] = ${t.ret.value}; /* ret: should the call below run it, it just returns */
        `;
  return {
    name: "wx_faults",
    options: [],
    declarations: [resumes(t)],
    helpers: c`
      /* Whether the page fault armed for came at address want (with pc pc_want,
         unless 0). Disarms it: a fault that did not come must not catch a later one. */
      static int faulted(uint64 want, uint64 pc_want)
      {
          uint64 addr, pc;
          int caught = arch_trap_caught(&addr, &pc);
          arch_trap_expect(ARCH_TRAP_PAGE, NULL);
          return caught && addr == want && (pc_want == 0 || pc == pc_want);
      }
    `,
    body: c`
      ${t.rodataDeclaration ?? ""}
      /* Writes store the byte already there, so one wrongly allowed changes nothing. */
      const uint8 *text = (const uint8 *)(uint64)${t.illegalFn};
      arch_trap_expect(ARCH_TRAP_PAGE, test_write_resume);
      test_write((uint64)text, *text);
      if (!faulted((uint64)text, 0))
          return "a write to kernel text did not fault";
      arch_trap_expect(ARCH_TRAP_PAGE, test_write_resume);
      test_write((uint64)${t.rodata}, (uint8)${t.rodata}[0]);
      if (!faulted((uint64)${t.rodata}, 0))
          return "a write to kernel rodata did not fault";
      ${fill}
      /* ${t.callFault};
         ${t.illegalResume} is a bare ret, which comes back here. */
      const uint8 *targets[2] = { (const uint8 *)wx_code, (const uint8 *)heap };
      int ran = -1;
      for (int i = 0; i < 2 && ran < 0; i++) {
          arch_trap_expect(ARCH_TRAP_PAGE, ${t.illegalResume});
          ((void (*)(void))(uint64)targets[i])();
          if (!faulted((uint64)targets[i], (uint64)targets[i]))
              ran = i;
      }
      page_free(heap, 0);
      if (ran >= 0)
          return ran == 0 ? "a call into kernel data did not fault" : "a call into a heap page did not fault";
      detail_str("${t.faults} writing text and rodata, calling into data and heap");
    `,
  };
}

export interface WxUserWords {
  /** A C statement adding up the user pages of address space `space` into n (count_pages of wx_kernel). */
  readonly countUserPages: string;
  /** The rights page_rights gives a user read-execute page. */
  readonly userCodeRights: string;
  /** How the port says a page is not executable ("NX", "XN"), or "" when a plain RW says it. */
  readonly noExec: string;
}

/** A user ELF's pages get their segment's rights, and a writable and executable segment is refused. */
export function wxUserTest(t: WxUserWords): SelfTest {
  const data = t.noExec === "" ? "RW" : `RW ${t.noExec}`;
  return {
    name: "wx_user",
    options: [],
    body: c`
      const uint8 *data;
      uint64 len, n[3] = { 0, 0, 0 };
      struct elf_info info;
      uint32 order = 0;
      if (!initrd_lookup("bin/usertest", &data, &len))
          return "bin/usertest is not in the initrd";
      uint64 space = uvm_create();
      if (space == 0)
          return "uvm_create failed";
      int r = elf_load(space, data, len, &info);
      if (r == 0)
          ${t.countUserPages}
      uint64 at_entry = r == 0 ? page_rights(space, info.entry) : 0;
      uvm_free(space);
      if (r != 0)
          return "bin/usertest does not load";
      if (at_entry != (${t.userCodeRights}))
          return "the entry page of bin/usertest is not read-execute";
      if (n[2] != 0 || n[0] == 0 || n[1] == 0)
          return "bin/usertest's pages are not code RX and data ${data}";
      /* The same file with its first PT_LOAD writable and executable is refused. */
      while ((PGSIZE << order) < len)
          order++;
      uint8 *bad = page_alloc(order);
      if (bad == NULL)
          return "page_alloc failed";
      memcpy(bad, data, len);
      uint64 phoff, wx_space = uvm_create();
      uint32 rwx = 7, type;
      memcpy(&phoff, bad + 32, 8);
      for (uint8 *ph = bad + phoff; ph + 56 <= bad + len; ph += 56) {
          memcpy(&type, ph, 4);
          if (type == 1) { /* PT_LOAD: p_flags follows p_type */
              memcpy(ph + 4, &rwx, 4);
              break;
          }
      }
      r = wx_space == 0 ? 0 : elf_load(wx_space, bad, len, &info);
      if (wx_space != 0)
          uvm_free(wx_space);
      page_free(bad, order);
      if (r != -ENOEXEC)
          return "a writable and executable segment was loaded";
      detail_str("bin/usertest: code pages ");
      detail_num(n[0]);
      detail_str(" RX, data pages ");
      detail_num(n[1]);
      detail_str(" ${data}; a W+X segment: -ENOEXEC");
    `,
  };
}
