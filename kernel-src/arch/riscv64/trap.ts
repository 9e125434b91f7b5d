// arch/riscv64/trap.c: trap(), where entry.S brings every exception,
// interrupt and syscall. ecall from user mode is a syscall (Exo ABI: a7 the
// number, a0-a5 the arguments, the result in a0); the timer interrupt ticks
// and preempts; lazily, the first FP instruction of a thread (an illegal
// instruction while sstatus.FS is Off) goes to fpu.c; a store to a
// copy-on-write page copies it. Anything else in user mode kills the process,
// and in the kernel is a panic with scause, stval, sepc and an s0 backtrace.
import type { KernelTemplateInput } from "../../input.ts";
import { emit, type Template } from "../../template.ts";

const source = "arch/riscv64/trap.ts";

const names = [
  "instruction address misaligned", "instruction access fault", "illegal instruction", "breakpoint",
  "load address misaligned", "load access fault", "store address misaligned", "store access fault",
  "ecall from U-mode", "ecall from S-mode", "reserved", "reserved",
  "instruction page fault", "load page fault", "reserved", "store page fault",
];

/** Lazily, an FP instruction while sstatus.FS is Off is the thread's first since its switch. */
const lazyFpuTrap = [
  "if (cause == CAUSE_ILLEGAL && (csr_read(sstatus) & SSTATUS_FS) == SSTATUS_FS_OFF && fp_instruction(tf->sepc)) {",
  "    fpu_trap(); /* the FPU for this thread, then the instruction again */",
  "    return;",
  "}",
];

/** Self-test builds: a trap a test provokes resumes where it says. */
const expectedTrap = [
  "if (expected.resume != 0 && expected_kind(cause)) {",
  "    expected.addr = tf->stval;",
  "    expected.pc = tf->sepc;",
  "    expected.caught = 1;",
  "    tf->sepc = expected.resume;",
  "    expected.resume = 0;",
  "    return;",
  "}",
];

export const trap: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    const lazy = k.contextSwitch.lazyFpu;
    const tests = k.testMode === "selftest";
    const options = ["kernel.contextSwitch.lazyFpu", "kernel.testMode"];
    const summary = "trap(): syscalls, the timer, lazy FPU traps, copy-on-write faults, and the exception panic with its backtrace.";
    return emit({ source, path: "arch/riscv64/trap.c", summary, options }, (w) => {
      w.line('#include "types.h"', '#include "riscv.h"', '#include "memlayout.h"', '#include "frame.h"', '#include "process.h"', '#include "arch.h"', '#include "sysnum.h"', '#include "defs.h"');
      w.blank();
      w.c`
        #define BACKTRACE_DEPTH 16

        extern void trap_entry(void);
        /* The Exo ABI's hot tier (core/syscall.c): called without syscall_dispatch. */
        extern int64 (*const hot_exo[])(uint64 a0, uint64 a1, uint64 a2, uint64 a3, uint64 a4, uint64 a5);
        extern const uint64 hot_exo_count;

        /* stval of the last exception, for arch_fault_addr (an interrupt since would have cleared the CSR). */
        uint64 trap_stval;

        static const char *const cause_names[] = {
            ${names.map((n) => `"${n}"`).join(",\n")},
        };
      `;
      if (tests) {
        w.blank();
        w.comment("A fault a test provokes on purpose: trap() resumes at resume instead of panicking.");
        w.c`
          static struct {
              uint32 kind;
              uint64 resume, addr, pc;
              int caught;
          } expected;
        `;
      }
      w.blank();
      w.c`
        /* Every trap to trap_entry (direct mode); sscratch 0: the kernel is running. */
        void trap_init(void)
        {
            csr_write(stvec, (uint64)trap_entry);
            csr_write(sscratch, 0);
        }

        /*
         * Print the return addresses of the frame-pointer chain from fp up (RISC-V
         * frames: the return address at fp - 8, the caller's fp at fp - 16). The
         * chain ends at 0 (set before kmain, for new threads and at each trap) or
         * at anything outside RAM.
         */
        void backtrace(uint64 fp)
        {
            kprintf("exo: backtrace:");
            for (int depth = 0; depth < BACKTRACE_DEPTH; depth++) {
                if (fp == 0 || (fp & 7) != 0 || fp < KERNBASE + RAM_BASE + 16 || fp > KERNBASE + RAM_BASE + RAM_MAX)
                    break;
                uint64 ret = ((uint64 *)fp)[-1];
                if (ret == 0)
                    break;
                kprintf(" %p", (void *)ret);
                fp = ((uint64 *)fp)[-2];
            }
            kprintf("\n");
        }

        /* An exception nobody handles: report it and stop with status 1. */
        static void __attribute__((noreturn)) trap_panic(struct trapframe *tf)
        {
            const char *name = tf->scause < sizeof cause_names / sizeof cause_names[0] ? cause_names[tf->scause] : "reserved";
            kprintf("exo: panic: scause %u (%s) stval %p\n", (uint32)tf->scause, name, (void *)tf->stval);
            kprintf("exo: panic: sepc %p sp %p ra %p sstatus %p\n", (void *)tf->sepc, (void *)tf->sp, (void *)tf->ra, (void *)tf->sstatus);
            backtrace(tf->s0);
            arch_halt(1);
        }
      `;
      if (lazy) {
        w.blank();
        w.c`
          /*
           * Whether the instruction at pc (mapped and executable: it just trapped)
           * uses the FPU: the F/D loads, stores and arithmetic, their compressed
           * loads and stores, and the CSR instructions on fflags, frm and fcsr.
           */
          static int fp_instruction(uint64 pc)
          {
              uint32 lo = *(const volatile uint16 *)pc;
              if ((lo & 3) != 3) { /* compressed: C.FLD/C.FSD (quadrant 0), C.FLDSP/C.FSDSP (quadrant 2) */
                  uint32 quadrant = lo & 3, funct3 = lo >> 13;
                  return (quadrant == 0 || quadrant == 2) && (funct3 == 1 || funct3 == 5);
              }
              uint32 hi = *(const volatile uint16 *)(pc + 2);
              uint32 insn = lo | hi << 16, op = insn & 0x7f;
              if (op == 0x07 || op == 0x27 || op == 0x43 || op == 0x47 || op == 0x4b || op == 0x4f || op == 0x53)
                  return 1;
              return op == 0x73 && ((insn >> 12) & 3) != 0 && (insn >> 20) >= 1 && (insn >> 20) <= 3;
          }
        `;
      }
      if (tests) {
        w.blank();
        w.c`
          /* Let the next trap of kind (ARCH_TRAP_*) resume at resume (a test provokes it on purpose). */
          void trap_expect(uint32 kind, void *resume)
          {
              expected.kind = kind;
              expected.resume = (uint64)resume;
              expected.caught = 0;
          }

          /* Whether the expected trap came; *addr (stval) and *pc say about what and where. */
          int trap_caught(uint64 *addr, uint64 *pc)
          {
              *addr = expected.addr;
              *pc = expected.pc;
              return expected.caught;
          }

          static int expected_kind(uint64 cause)
          {
              if (expected.kind == ARCH_TRAP_PAGE)
                  return cause == CAUSE_FETCH_PAGE || cause == CAUSE_LOAD_PAGE || cause == CAUSE_STORE_PAGE;
              return cause == expected.kind;
          }
        `;
      }
      w.blank();
      w.c`
        /*
         * ecall from user mode: past the ecall, then the hot tier's handler
         * directly (interrupts on while it runs), or syscall_dispatch for the
         * warm and cold tiers. Either way the result lands in the frame's a0.
         */
        static void syscall(struct trapframe *tf)
        {
            uint64 nr = tf->a7;
            tf->sepc += 4;
            if (nr == SYS_null) { /* the null syscall: nothing to do but the way out */
                tf->a0 = 0;
                if (syscall_hot_exit())
                    syscall_exit_work(tf);
                return;
            }
            if (nr < hot_exo_count && hot_exo[nr] != NULL) {
                intr_on();
                int64 r = hot_exo[nr](tf->a0, tf->a1, tf->a2, tf->a3, tf->a4, tf->a5);
                intr_off();
                tf->a0 = (uint64)r;
                if (syscall_hot_exit())
                    syscall_exit_work(tf);
                return;
            }
            syscall_dispatch(tf->a0, tf->a1, tf->a2, tf->a3, nr, tf->a4, tf->a5);
        }

        /* Called by entry.S with interrupts off, for every trap. */
        void trap(struct trapframe *tf)
        {
            uint64 cause = tf->scause;
            int user = (tf->sstatus & SSTATUS_SPP) == 0;
            if (cause & SCAUSE_INTR) {
                /* A timer tick in user mode is a checkpoint: a killed process dies there, a signal is delivered there. */
                if ((cause & ~SCAUSE_INTR) == IRQ_S_TIMER) {
                    timer_intr();
                    if (user) {
                        uproc_checkpoint();
                        signal_deliver(tf);
                    }
                }
                return;
            }
            trap_stval = tf->stval;
            if (cause == CAUSE_ECALL_U) {
                syscall(tf);
                return;
            }
            ${lazy ? lazyFpuTrap : ""}
            ${tests ? expectedTrap : ""}
            /* A write to a page shared since a fork: copy it, and retry the instruction. */
            if (cause == CAUSE_STORE_PAGE && user && cow_fault(curthread->space, tf->stval) == 1)
                return;
            /* A fault in user mode ends the process, never the kernel. */
            if (user)
                uproc_kill((uint32)cause, tf->sepc, tf->stval);
            trap_panic(tf);
        }
      `;
    });
  },
};
