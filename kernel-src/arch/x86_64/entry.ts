// arch/x86_64/entry.S: the ways between user and kernel mode. SYSCALL lands
// in syscall_entry, which saves a struct trapframe on the thread's kernel
// stack and calls syscall_dispatch; enter_user drops a new process to user
// mode with IRETQ, user_return a forked one with its parent's registers.
import { emit, type Template } from "../../template.ts";
import type { Writer } from "../../writer.ts";
import { FRAME_REGS, T_SYSCALL } from "./frame.ts";

const source = "arch/x86_64/entry.ts";

/** What the hot path saves: the user RSP, RIP and RFLAGS, and the argument registers a C handler may clobber (Linux's ABI keeps them). */
const HOT_SAVED = ["rcx", "r11", "rdi", "rsi", "rdx", "r10", "r8", "r9"] as const;

/** Push a syscall's struct trapframe (user RSP in syscall_user_rsp, RIP in RCX, RFLAGS in R11). */
function pushFrame(w: Writer): void {
  w.line("pushq $SEG_UDATA", "pushq syscall_user_rsp", "push %r11", "pushq $SEG_UCODE", "push %rcx", "pushq $0", `pushq $${T_SYSCALL}`);
  w.line(...[...FRAME_REGS].reverse().map((r) => `push %${r}`));
}

/**
 * The hot tier: no frame, only what the C handler may clobber saved; the
 * handler runs with interrupts on, as in the warm tier. After it,
 * syscall_work says whether a signal, a kill or a first syscall waits: if so,
 * the slow way out (hot_slow) builds the frame that acting on it needs.
 */
function hotPath(w: Writer, table: string): void {
  w.line("mov %rsp, syscall_user_rsp", "mov syscall_kstack, %rsp", "pushq syscall_user_rsp", ...HOT_SAVED.map((r) => `push %${r}`));
  w.line("sub $8, %rsp /* 16-byte aligned at the call */", "sti", "mov %r10, %rcx", `call *${table}(,%rax,8)`, "cli");
  w.line("cmpl $0, syscall_work /* a kill, a signal or a first syscall: the slow way out */", "jne hot_slow");
  w.line("add $8, %rsp", ...HOT_SAVED.slice().reverse().map((r) => `pop %${r}`), "pop %rsp", "sysretq");
}

/**
 * The hot tier's argument-less entries (core/syscall.c's `<table>0`, under
 * ARCH_HOT_LEAF): they keep every register but RAX, so nothing is saved but
 * the user RSP, on the kernel stack (a handler that yields lets another
 * thread's syscall reuse syscall_user_rsp); interrupts stay off.
 */
function leafPath(w: Writer, table: string): void {
  w.line(`${table}_leaf:`).indent(() => {
    w.line("mov %rsp, syscall_user_rsp", "mov syscall_kstack, %rsp", "pushq syscall_user_rsp", "sub $8, %rsp /* 16-byte aligned at the call */", `call *${table}0(,%rax,8)`);
    w.line("cmpl $0, syscall_work", "jne hot_leaf_slow", "mov 8(%rsp), %rsp", "sysretq");
  });
}

export const entry: Template = {
  source,
  render() {
    const summary = "SYSCALL entry and SYSRET exit, and the first entry of a process into user mode.";
    return emit({ source, path: "arch/x86_64/entry.S", summary, options: [] }, (w) => {
      w.line('#include "cpu.h"', '#include "sysnum.h"');
      w.blank();
      w.comment(
        "SYSCALL: RCX holds the user RIP, R11 the user RFLAGS, RAX the number;",
        "arguments in RDI, RSI, RDX, R10, R8, R9 (Linux's order; Exo's ABI uses the",
        "first three or four). Interrupts are off (SFMASK) until the user RSP is",
        "saved. LSTAR points at syscall_entry for an Exo program and at",
        "syscall_entry_linux for a Linux one (core/proc.c switches it): each first",
        "looks the number up in its ABI's hot table (the POSIX-X hot tier).",
      );
      w.line(".text", ".globl syscall_entry", ".globl syscall_entry_linux", ".globl syscall_return", ".globl enter_user", ".globl user_return");
      for (const [label, table] of [["syscall_entry", "hot_exo"], ["syscall_entry_linux", "hot_linux"]] as const) {
        w.line(`${label}:`).indent(() => {
          w.line(`cmp ${table}_count, %rax`, `jae ${table === "hot_exo" ? "syscall_null" : "syscall_warm"}`, `cmpq $0, ${table}0(,%rax,8)`, `jne ${table}_leaf`, `cmpq $0, ${table}(,%rax,8)`, "je syscall_warm");
          hotPath(w, table);
        });
        leafPath(w, table);
      }
      w.comment(
        "The null syscall (Exo's ABI): nothing to do but look for work on the way",
        "out, so no stack and no register but RAX; with work waiting, the warm way",
        "(syscall_dispatch returns 0 for it too).",
      );
      w.line("syscall_null:").indent(() => {
        w.line("cmp $SYS_null, %rax", "jne syscall_warm", "cmpl $0, syscall_work", "jne syscall_warm", "xor %eax, %eax", "sysretq");
      });
      w.comment(
        "The hot tier's way back when a signal or a kill is pending: the result in",
        "RAX, every other register the user's again, then the full frame the warm",
        "way builds, and syscall_exit_work acts on it before syscall_return.",
      );
      w.line("hot_leaf_slow:").indent(() => w.line("add $8, %rsp", "popq syscall_user_rsp", "jmp 1f"));
      w.line("hot_slow:").indent(() => {
        w.line("add $8, %rsp", ...HOT_SAVED.slice().reverse().map((r) => `pop %${r}`), "popq syscall_user_rsp");
      });
      w.line("1:").indent(() => {
        pushFrame(w);
        w.line("mov %rsp, %rdi", "call syscall_exit_work", "jmp syscall_return");
      });
      w.blank();
      w.comment(
        "The warm and cold tiers: the whole user state goes into a struct trapframe",
        "at the top of the kernel stack (include/frame.h), as an interrupt's would:",
        "fork copies it, execve and signals rewrite it, and syscall_return restores",
        "every register from it, so all but RAX (the result, which syscall_dispatch",
        "stores in the frame), RCX and R11 come back as they were. RBP 0 ends",
        "kernel backtraces.",
      );
      w.line("syscall_warm:").indent(() => {
        w.line("mov %rsp, syscall_user_rsp", "mov syscall_kstack, %rsp");
        pushFrame(w);
        w.line("xor %ebp, %ebp");
        w.comment("syscall_dispatch(a0, a1, a2, a3, nr, a4, a5): a5 goes on the stack, kept 16-byte aligned.");
        w.line("sub $8, %rsp", "push %r9", "mov %r8, %r9", "mov %rax, %r8", "mov %r10, %rcx", "call syscall_dispatch", "add $16, %rsp");
      });
      w.comment("RSP at a struct trapframe of a syscall: restore it all and go back with SYSRET (RIP from RCX, RFLAGS from R11).");
      w.line("syscall_return:").indent(() => {
        w.line("cli", ...FRAME_REGS.map((r) => `pop %${r}`));
        w.line("add $16, %rsp /* trapno, err */", "pop %rcx", "add $8, %rsp /* cs */", "pop %r11", "pop %rsp", "sysretq");
      });
      w.blank();
      w.comment(
        "void user_return(struct trapframe *tf): to user mode with every register",
        "from tf (a forked child's first run). Does not return.",
      );
      w.line("user_return:").indent(() => {
        w.line("cli", "mov %rdi, %rsp", ...FRAME_REGS.map((r) => `pop %${r}`), "add $16, %rsp /* trapno, err */", "iretq");
      });
      w.blank();
      w.comment(
        "void enter_user(uint64 rip, uint64 rsp, uint64 arg0, uint64 arg1): an",
        "IRETQ frame for user mode (CPL 3) with interrupts on, arg0 in RDI, arg1 in RSI,",
        "every other register zero so nothing of the kernel leaks. Does not return.",
      );
      w.line("enter_user:").indent(() => {
        w.line("pushq $SEG_UDATA", "push %rsi", "pushq $0x202", "pushq $SEG_UCODE", "push %rdi");
        w.line("mov %rdx, %rdi", "mov %rcx, %rsi");
        w.line(...["eax", "ebx", "ecx", "edx", "ebp", "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"].map((r) => `xor %${r}, %${r}`));
        w.line("iretq");
      });
    });
  },
};
