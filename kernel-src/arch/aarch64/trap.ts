// arch/aarch64/trap.c: trap(), where every exception vectors.S takes lands.
// SVC from EL0 is a syscall (the hot table without the dispatcher, else
// syscall_dispatch), an IRQ goes to the GIC and the timer, FP/SIMD use traps
// to the lazy FPU, a write to a copy-on-write page copies it; anything else
// from EL0 kills the process, and from EL1 is a panic that prints ESR, ELR,
// FAR and a frame-pointer backtrace.
import type { KernelTemplateInput } from "../../input.ts";
import { emit, type Template } from "../../template.ts";
import { VECTOR_NAMES } from "./vectors.ts";

const source = "arch/aarch64/trap.ts";

export const trap: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    const lazy = k.contextSwitch.lazyFpu;
    const tests = k.testMode !== "off";
    const options = ["kernel.contextSwitch.lazyFpu", "kernel.testMode"];
    const summary = "trap(): syscalls, interrupts, lazy FPU traps, copy-on-write faults, the kill of a faulting process and the kernel's exception panic with its backtrace.";
    return emit({ source, path: "arch/aarch64/trap.c", summary, options }, (w) => {
      w.line('#include "types.h"', '#include "cpu.h"', '#include "memlayout.h"', '#include "frame.h"', '#include "process.h"', '#include "sysnum.h"', '#include "defs.h"');
      w.blank();
      w.line("#define BACKTRACE_DEPTH 16", "#define KIND_EL1_SYNC 4", "#define KIND_EL1_IRQ 5", "#define KIND_EL0_SYNC 8", "#define KIND_EL0_IRQ 9");
      w.blank();
      w.comment("The syscall tiers' parts entry.S calls on x86_64 (core/syscall.c): here trap.c calls them.");
      w.c`
        extern int64 (*const hot_exo[])(uint64 a0, uint64 a1, uint64 a2, uint64 a3, uint64 a4, uint64 a5);
        extern const uint64 hot_exo_count;
        int syscall_hot_exit(void);
        void syscall_exit_work(struct trapframe *tf);
        void trap(struct trapframe *tf, uint64 kind);
        void trap_return_frame(struct trapframe *tf) __attribute__((noreturn));
        extern char __image_start[], __image_end[];
        extern const char semihost_hlt[];
      `;
      w.blank();
      w.comment("The top of the running user thread's kernel stack (arch_set_kernel_stack): where enter_user puts SP_EL1.");
      w.line("uint64 kernel_stack_top;");
      // Each name beside its entry's offset from VBAR_EL1 (vectors.S), one a line.
      w.line("static const char *const vector_names[16] = {", ...VECTOR_NAMES.map((n, i) => `    "${n}", /* 0x${(i * 0x80).toString(16).padStart(3, "0")} */`), "};");
      if (tests) {
        w.blank();
        w.comment("A fault a test provokes on purpose: trap() resumes at resume instead of panicking.");
        w.c`
          static struct {
              uint32 kind;
              uint64 resume, far, pc;
              int caught;
          } expected;
        `;
      }
      w.blank();
      w.comment("The vectors are VBAR_EL1's since boot.S; say so, and where.");
      w.fn("void trap_init(void)", () => {
        w.line('kprintf("exo: traps: vectors at %p\\n", (void *)read_sysreg(vbar_el1));');
      });
      w.blank();
      w.comment(
        "Print the return addresses of the x29 chain from fp up. Every file is compiled",
        "with frame pointers; the chain ends at x29 0 (set before kmain, for new threads",
        "and on every entry from EL0) or at anything off the kernel's stacks: the",
        "direct map (threads') and the image (the boot stack).",
      );
      w.fn("void backtrace(uint64 fp)", () => {
        w.c`
          kprintf("exo: backtrace:");
          for (int depth = 0; depth < BACKTRACE_DEPTH; depth++) {
              int mapped = (fp >= KERNBASE && fp < KERNBASE + DIRECT_MAP_SIZE - 16) || (fp >= (uint64)__image_start && fp < (uint64)__image_end - 16);
              if (fp == 0 || (fp & 7) != 0 || !mapped)
                  break;
              uint64 ret = ((uint64 *)fp)[1];
              if (ret == 0)
                  break;
              kprintf(" %p", (void *)ret);
              fp = ((uint64 *)fp)[0];
          }
          kprintf("\n");
        `;
      });
      w.blank();
      w.comment("The name of exception class ec, for the panic.");
      w.fn("static const char *class_name(uint32 ec)", () => {
        w.c`
          switch (ec) {
          case EC_UNKNOWN:
              return "undefined instruction";
          case EC_FP:
              return "FP/SIMD access";
          case EC_SVC64:
              return "SVC";
          case EC_IABT_LOW:
          case EC_IABT_CUR:
              return "instruction abort";
          case EC_DABT_LOW:
          case EC_DABT_CUR:
              return "data abort";
          default:
              return "other";
          }
        `;
      });
      w.blank();
      w.comment("An exception nobody handles: report it and stop with status 1.");
      w.fn("static void __attribute__((noreturn)) trap_panic(struct trapframe *tf, uint64 kind)", () => {
        w.c`
          uint32 ec = (uint32)(tf->esr >> ESR_EC_SHIFT) & 0x3f;
          kprintf("exo: panic: %s exception, class 0x%x (%s), esr %p\n", vector_names[kind & 15], ec, class_name(ec), (void *)tf->esr);
          kprintf("exo: panic: pc %p far %p sp %p pstate %p\n", (void *)tf->pc, (void *)tf->far, (void *)tf->sp, (void *)tf->pstate);
          backtrace(tf->x[29]);
          arch_halt(1);
        `;
      });
      if (tests) {
        w.blank();
        w.comment("Let the next exception of class kind at EL1 resume at resume (a test provokes it on purpose). An instruction abort counts as a data abort.");
        w.fn("void trap_expect(uint32 kind, void *resume)", () => {
          w.line("expected.kind = kind;", "expected.resume = (uint64)resume;", "expected.caught = 0;");
        });
        w.blank();
        w.comment("Whether the expected exception came; *far and *pc say about which address and where.");
        w.fn("int trap_caught(uint64 *far, uint64 *pc)", () => {
          w.line("*far = expected.far;", "*pc = expected.pc;", "return expected.caught;");
        });
      }
      w.blank();
      w.comment(
        "A syscall (SVC #0): number in x8, arguments in x0-x5, the result back in x0. A hot",
        "one is called straight from its table with no dispatcher; if a kill or a signal",
        "waits after it, the frame (which every syscall has here) serves syscall_exit_work.",
      );
      w.fn("static void syscall(struct trapframe *tf)", () => {
        w.c`
          uint64 nr = tf->x[8];
          if (nr == SYS_null) { /* the null syscall: nothing to do but the way out */
              tf->x[0] = 0;
              if (syscall_hot_exit())
                  syscall_exit_work(tf);
              return;
          }
          if (nr < hot_exo_count && hot_exo[nr] != NULL) {
              intr_on();
              int64 r = hot_exo[nr](tf->x[0], tf->x[1], tf->x[2], tf->x[3], tf->x[4], tf->x[5]);
              intr_off();
              tf->x[0] = (uint64)r;
              if (syscall_hot_exit())
                  syscall_exit_work(tf);
              return;
          }
          syscall_dispatch(tf->x[0], tf->x[1], tf->x[2], tf->x[3], nr, tf->x[4], tf->x[5]);
        `;
      });
      w.blank();
      w.comment("An IRQ: acknowledge it at the GIC, end it, then act (the timer may switch threads). A tick in user mode is a checkpoint: a killed process dies there, a signal is delivered there.");
      w.fn("static void irq(struct trapframe *tf)", () => {
        w.c`
          uint32 iar = gic_ack();
          if ((iar & 0x3ff) >= 1020) /* spurious */
              return;
          gic_eoi(iar);
          if ((iar & 0x3ff) == TIMER_INTID)
              timer_intr();
          if (frame_from_user(tf)) {
              uproc_checkpoint();
              signal_deliver(tf);
          }
        `;
      });
      w.blank();
      w.comment("Called by vectors.S with IRQs masked, for every exception; kind is the vector's index.");
      w.fn("void trap(struct trapframe *tf, uint64 kind)", () => {
        w.line("uint32 ec = (uint32)(tf->esr >> ESR_EC_SHIFT) & 0x3f;");
        w.line("if (kind == KIND_EL1_IRQ || kind == KIND_EL0_IRQ) {").indent(() => w.line("irq(tf);", "return;"));
        w.line("}");
        w.line("if (kind == KIND_EL0_SYNC && ec == EC_SVC64) {").indent(() => w.line("syscall(tf);", "return;"));
        w.line("}");
        if (lazy) {
          w.line("if ((kind == KIND_EL0_SYNC || kind == KIND_EL1_SYNC) && ec == EC_FP) {").indent(() => w.line("fpu_trap();", "return;"));
          w.line("}");
        }
        if (tests) {
          w.line("uint32 class = ec == EC_IABT_CUR ? EC_DABT_CUR : ec;");
          w.line("if (kind == KIND_EL1_SYNC && expected.resume != 0 && class == expected.kind) {").indent(() => {
            w.line("expected.far = tf->far;", "expected.pc = tf->pc;", "expected.caught = 1;");
            w.line("tf->pc = expected.resume;", "expected.resume = 0;", "return;");
          });
          w.line("}");
        }
        w.comment("power.c's semihosting HLT without a debugger to take it: step over it, to PSCI.");
        w.line("if (kind == KIND_EL1_SYNC && ec == EC_UNKNOWN && tf->pc == (uint64)semihost_hlt) {").indent(() => w.line("tf->pc += 4;", "return;"));
        w.line("}");
        w.line("if (kind == KIND_EL0_SYNC) {").indent(() => {
          w.comment("A write to a page shared since a fork (a permission fault): copy it, and retry the instruction.");
          w.line("if (ec == EC_DABT_LOW && (tf->esr & ESR_WNR) && (tf->esr & ESR_FSC_TYPE) == FSC_PERM && cow_fault(curthread->space, tf->far) == 1)").indent(() => w.line("return;"));
          w.comment("A fault in user mode ends the process, never the kernel.");
          w.line("uproc_kill(ec, tf->pc, tf->far);");
        });
        w.line("}");
        w.line("trap_panic(tf, kind);");
      });
      w.blank();
      w.comment(
        "void user_return(struct trapframe *tf): to user mode with every register from tf",
        "(a forked child's first run). The frame goes to the top of the kernel stack first,",
        "so SP_EL1 ends there as after any return to EL0. Does not return.",
      );
      w.fn("void user_return(struct trapframe *tf)", () => {
        w.c`
          intr_off();
          struct trapframe *top = (struct trapframe *)kernel_stack_top - 1;
          if (top != tf)
              memmove(top, tf, sizeof *tf);
          trap_return_frame(top);
        `;
      });
    });
  },
};
