// arch/x86_64/entry.S: the ways between user and kernel mode. SYSCALL lands
// in syscall_entry, which switches to the thread's kernel stack and calls
// syscall_dispatch; enter_user drops a new process to user mode with IRETQ.
import { emit, type Template } from "../../template.ts";

const source = "arch/x86_64/entry.ts";

export const entry: Template = {
  source,
  render() {
    const summary = "SYSCALL entry and SYSRET exit, and the first entry of a process into user mode.";
    return emit({ source, path: "arch/x86_64/entry.S", summary, options: [] }, (w) => {
      w.line('#include "cpu.h"');
      w.blank();
      w.comment(
        "SYSCALL: RCX holds the user RIP, R11 the user RFLAGS, RAX the number;",
        "arguments in RDI, RSI, RDX, R10, R8, R9 (Linux's order; Exo's ABI uses the",
        "first three or four). Interrupts are off (SFMASK) until the user RSP is",
        "saved on the kernel stack. Every register but RAX (the result), RCX and",
        "R11 comes back as it was, as Linux programs (musl) expect: the argument",
        "registers are restored from the kernel stack, the callee-saved ones by",
        "the C code. RBP 0 ends kernel backtraces.",
      );
      w.line(".text", ".globl syscall_entry", ".globl enter_user");
      w.line("syscall_entry:").indent(() => {
        w.line("mov %rsp, syscall_user_rsp", "mov syscall_kstack, %rsp");
        w.line("pushq syscall_user_rsp", "push %rcx", "push %r11", "push %rbp", "xor %ebp, %ebp");
        w.line("push %rdi", "push %rsi", "push %rdx", "push %r10", "push %r8", "push %r9");
        w.comment("syscall_dispatch(a0, a1, a2, a3, nr, a4, a5): a5 goes on the stack, kept 16-byte aligned.");
        w.line("sub $8, %rsp", "push %r9", "mov %r8, %r9", "mov %rax, %r8", "mov %r10, %rcx", "call syscall_dispatch", "add $16, %rsp");
        w.line("cli", "pop %r9", "pop %r8", "pop %r10", "pop %rdx", "pop %rsi", "pop %rdi", "pop %rbp", "pop %r11", "pop %rcx");
        w.line("pop %rsp", "sysretq");
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
