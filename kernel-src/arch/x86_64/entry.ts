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
        "arguments in RDI, RSI, RDX, R10. Interrupts are off (SFMASK) until the",
        "user RSP is saved on the kernel stack. The callee-saved registers are",
        "preserved by the C code; RCX, R11 and the other caller-saved ones come",
        "back cleared or clobbered (user code must not rely on them). RBP 0 ends",
        "kernel backtraces.",
      );
      w.line(".text", ".globl syscall_entry", ".globl enter_user");
      w.line("syscall_entry:").indent(() => {
        w.line("mov %rsp, syscall_user_rsp", "mov syscall_kstack, %rsp");
        w.line("pushq syscall_user_rsp", "push %rcx", "push %r11", "push %rbp", "xor %ebp, %ebp");
        w.line("mov %r10, %rcx", "mov %rax, %r8", "call syscall_dispatch");
        w.line("cli", "pop %rbp", "pop %r11", "pop %rcx");
        w.comment("Scratch registers may hold kernel addresses: clear them rather than hand them to user mode.");
        w.line("xor %esi, %esi", "xor %edi, %edi", "xor %edx, %edx", "xor %r8d, %r8d", "xor %r9d, %r9d", "xor %r10d, %r10d");
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
