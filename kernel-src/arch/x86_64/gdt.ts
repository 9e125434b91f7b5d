// arch/x86_64/gdt.c: the kernel's own GDT, replacing boot.S's: kernel and
// user segments in the order SYSCALL/SYSRET require, and a TSS whose RSP0 is
// the stack the CPU switches to when an interrupt arrives in user mode.
import { emit, type Template } from "../../template.ts";

const source = "arch/x86_64/gdt.ts";

export const gdt: Template = {
  source,
  render() {
    const summary = "GDT with user segments and a TSS, SYSCALL MSRs, and the per-thread kernel stack used on entry from user mode.";
    return emit({ source, path: "arch/x86_64/gdt.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "cpu.h"', '#include "defs.h"');
      w.blank();
      w.comment("The 64-bit TSS: only RSP0 matters here (no IST, no I/O bitmap).");
      w.line(`struct tss {
    uint32 reserved0;
    uint64 rsp0, rsp1, rsp2;
    uint64 reserved1, ist[7], reserved2;
    uint16 reserved3, iomap;
} __attribute__((packed));
_Static_assert(sizeof(struct tss) == 104, "the TSS is 104 bytes");`);
      w.blank();
      w.comment(
        "Selectors: 0x08 kernel code, 0x10 kernel data, 0x18 unused (SYSRET's",
        "32-bit entry), 0x20 user data, 0x28 user code, 0x30 the TSS (two entries).",
        "Writable, because LTR marks the TSS busy in it.",
      );
      w.line(`static uint64 gdt[8] = {
    0,
    0x00af9b000000ffffUL, /* kernel code: 64-bit, DPL 0 */
    0x00cf93000000ffffUL, /* kernel data */
    0,
    0x00cff3000000ffffUL, /* user data: DPL 3 */
    0x00affb000000ffffUL, /* user code: 64-bit, DPL 3 */
    0,                    /* TSS, filled in by gdt_init ... */
    0,                    /* ... its upper half */
};
static struct tss tss;`);
      w.blank();
      w.comment("The stack syscall_entry (entry.S) switches to: the running thread's kernel stack top.");
      w.line("uint64 syscall_kstack;", "uint64 syscall_user_rsp;", "extern void syscall_entry(void);");
      w.blank();
      w.comment("Load the GDT and TSS, reload the segment registers, and enable SYSCALL.");
      w.fn("void gdt_init(void)", () => {
        w.line(`uint64 base = (uint64)&tss;
gdt[6] = (sizeof tss - 1) | ((base & 0xffffff) << 16) | (0x89UL << 40) | (((base >> 24) & 0xff) << 56);
gdt[7] = base >> 32;
tss.iomap = sizeof tss;
struct {
    uint16 limit;
    uint64 base;
} __attribute__((packed)) ptr = { sizeof gdt - 1, (uint64)gdt };
__asm__ volatile("lgdt %0\\n"
                 "mov %w1, %%ds\\n mov %w1, %%es\\n mov %w1, %%ss\\n"
                 "pushq %2\\n lea 1f(%%rip), %%rax\\n pushq %%rax\\n lretq\\n1:"
                 :
                 : "m"(ptr), "r"((uint64)SEG_KDATA), "i"(SEG_KCODE)
                 : "rax", "memory");
__asm__ volatile("ltr %w0" : : "r"(SEG_TSS));
wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
wrmsr(MSR_STAR, ((uint64)SEG_USER_BASE << 48) | ((uint64)SEG_KCODE << 32));
wrmsr(MSR_LSTAR, (uint64)syscall_entry);
wrmsr(MSR_SFMASK, RFLAGS_IF | 0x100 | 0x400 | 0x40000); /* IF, TF, DF, AC off on entry */`);
      });
      w.blank();
      w.comment("The running thread's kernel stack top, for interrupts (TSS.RSP0) and syscalls from user mode.");
      w.fn("void set_kernel_stack(uint64 top)", () => w.line("tss.rsp0 = top;", "syscall_kstack = top;"));
    });
  },
};
