// arch/x86_64/trap.c: the IDT and trap(), where every interrupt and exception
// lands. An exception nobody expects is a panic that prints the vector, error
// code, RIP, CR2 and a frame-pointer backtrace (xv6's trap.c).
import type { KernelTemplateInput } from "../../input.ts";
import { emit, type Template } from "../../template.ts";
import { VECTOR_COUNT } from "./vectors.ts";

const source = "arch/x86_64/trap.ts";

const names = [
  "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow", "#BR bound range", "#UD invalid opcode",
  "#NM device not available", "#DF double fault", "coprocessor segment overrun", "#TS invalid TSS", "#NP segment not present",
  "#SS stack fault", "#GP general protection", "#PF page fault", "reserved", "#MF x87 error", "#AC alignment check",
  "#MC machine check", "#XM SIMD error", "#VE virtualization", "#CP control protection",
];

export const trap: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    const lazy = k.contextSwitch.lazyFpu;
    const tests = k.testMode !== "off";
    const options = ["kernel.contextSwitch.lazyFpu", "kernel.testMode"];
    const summary = "The IDT, trap() and the exception panic with its backtrace.";
    return emit({ source, path: "arch/x86_64/trap.c", summary, options }, (w) => {
      w.line('#include "types.h"', '#include "cpu.h"', '#include "memlayout.h"', '#include "frame.h"', '#include "process.h"', '#include "defs.h"');
      w.blank();
      w.line(`#define NVECTORS ${VECTOR_COUNT}`, "#define T_NM 7", "#define T_PF 14", "#define T_IRQ0 32", "#define T_IRQ7 39", "#define T_IRQ15 47");
      w.line("#define BACKTRACE_DEPTH 16", "#define BOOT_MAPPED (KERNBASE + DIRECT_MAP_SIZE) /* the end of the kernel's direct map */");
      w.blank();
      w.comment("struct trapframe (include/frame.h) is what alltraps (vectors.S) leaves on the stack.");
      w.blank();
      w.comment("A 64-bit interrupt gate.");
      w.line(`struct gate {
    uint16 off_lo, sel;
    uint8 ist, type;
    uint16 off_mid;
    uint32 off_hi, zero;
};`);
      w.blank();
      w.line("extern const uint64 vectors[NVECTORS];", "extern char __image_start[];");
      w.line("static struct gate idt[NVECTORS];");
      w.line(`static const char *const exception_names[] = {\n    ${names.map((n) => `"${n}"`).join(",\n    ")},\n};`);
      if (tests) {
        w.blank();
        w.comment("A fault a test provokes on purpose: trap() resumes at resume instead of panicking.");
        w.c`
          static struct {
              uint32 vector;
              uint64 resume, cr2, rip;
              int caught;
          } expected;
        `;
      }
      w.blank();
      w.comment("Point each vector at its stub in vectors.S and load the IDT. Gates are interrupt gates: IF is off in trap().");
      w.fn("void idt_init(void)", () => {
        w.line(`for (int v = 0; v < NVECTORS; v++) {
    uint64 a = vectors[v];
    idt[v] = (struct gate){ .off_lo = a & 0xffff, .sel = SEG_KCODE, .type = 0x8e, .off_mid = (a >> 16) & 0xffff, .off_hi = (uint32)(a >> 32) };
}
struct {
    uint16 limit;
    uint64 base;
} __attribute__((packed)) ptr = { sizeof idt - 1, (uint64)idt };
__asm__ volatile("lidt %0" : : "m"(ptr));`);
      });
      w.blank();
      w.comment(
        "Print the return addresses of the RBP chain from rbp up. Every file is",
        "compiled with frame pointers; the chain ends at RBP 0 (set before kmain",
        "and for new threads) or at anything outside mapped memory.",
      );
      w.fn("void backtrace(uint64 rbp)", () => {
        w.line(`kprintf("exo: backtrace:");
for (int depth = 0; depth < BACKTRACE_DEPTH; depth++) {
    if (rbp == 0 || (rbp & 7) != 0 || rbp < (uint64)__image_start || rbp >= BOOT_MAPPED - 16)
        break;
    uint64 ret = ((uint64 *)rbp)[1];
    if (ret == 0)
        break;
    kprintf(" %p", (void *)ret);
    rbp = ((uint64 *)rbp)[0];
}
kprintf("\\n");`);
      });
      w.blank();
      w.comment("An exception nobody handles: report it and stop with status 1.");
      w.fn("static void __attribute__((noreturn)) trap_panic(struct trapframe *tf)", () => {
        w.line(`const char *name = tf->trapno < sizeof exception_names / sizeof exception_names[0] ? exception_names[tf->trapno] : "reserved";
kprintf("exo: panic: exception %u (%s) error %p\\n", (uint32)tf->trapno, name, (void *)tf->err);
kprintf("exo: panic: rip %p cr2 %p rsp %p rflags %p\\n", (void *)tf->rip, (void *)read_cr2(), (void *)tf->rsp, (void *)tf->rflags);
backtrace(tf->rbp);
arch_halt(1);`);
      });
      if (tests) {
        w.blank();
        w.comment("Let the next exception `vector` resume at `resume` (a test provokes it on purpose).");
        w.fn("void trap_expect(uint32 vector, void *resume)", () => {
          w.line("expected.vector = vector;", "expected.resume = (uint64)resume;", "expected.caught = 0;");
        });
        w.blank();
        w.comment("Whether the expected exception came; *cr2 and *rip say where.");
        w.fn("int trap_caught(uint64 *cr2, uint64 *rip)", () => {
          w.line("*cr2 = expected.cr2;", "*rip = expected.rip;", "return expected.caught;");
        });
      }
      w.blank();
      w.comment("Called by alltraps with interrupts off, for every vector.");
      w.fn("void trap(struct trapframe *tf)", () => {
        w.line("if (tf->trapno >= T_IRQ0) {").indent(() => {
          w.comment("A timer tick in user mode is a checkpoint: a killed process dies there, a signal is delivered there.");
          w.line("if (tf->trapno == T_IRQ0) {").indent(() => {
            w.line("timer_intr();", "if ((tf->cs & 3) == 3) {").indent(() => w.line("uproc_checkpoint();", "signal_deliver(tf);"));
            w.line("}");
          });
          w.line("} else if (tf->trapno != T_IRQ7 && tf->trapno != T_IRQ15) { /* those two are spurious: no EOI */").indent(() =>
            w.line("pic_eoi((uint32)(tf->trapno - T_IRQ0));"),
          );
          w.line("}");
          w.line("return;");
        });
        w.line("}");
        if (lazy) {
          w.line("if (tf->trapno == T_NM) {").indent(() => w.line("fpu_trap();", "return;"));
          w.line("}");
        }
        if (tests) {
          w.line("if (expected.resume != 0 && tf->trapno == expected.vector) {").indent(() => {
            w.line("expected.cr2 = read_cr2();", "expected.rip = tf->rip;", "expected.caught = 1;");
            w.line("tf->rip = expected.resume;", "expected.resume = 0;", "return;");
          });
          w.line("}");
        }
        w.comment("A write to a page shared since a fork: copy it, and retry the instruction.");
        w.line("if (tf->trapno == T_PF && (tf->cs & 3) == 3 && (tf->err & 3) == 3 && cow_fault(curthread->space, read_cr2()) == 1)").indent(() => w.line("return;"));
        w.comment("A fault in user mode ends the process, never the kernel.");
        w.line("if ((tf->cs & 3) == 3)").indent(() => w.line("uproc_kill((uint32)tf->trapno, tf->rip, read_cr2());"));
        w.line("trap_panic(tf);");
      });
    });
  },
};
