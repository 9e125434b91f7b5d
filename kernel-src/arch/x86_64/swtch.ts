// arch/x86_64/swtch.S: the windowed context switch. Only what the SysV ABI
// says a callee must preserve (RBX, RBP, R12-R15) plus RSP and RIP changes
// hands: the caller of swtch has already saved everything else.
import { emit, type Template } from "../../template.ts";

const source = "arch/x86_64/swtch.ts";

export const swtch: Template = {
  source,
  render() {
    const summary = "swtch: save the callee-saved registers on the old stack, switch stacks, restore them from the new one; and the first return of a new thread.";
    return emit({ source, path: "arch/x86_64/swtch.S", summary, options: [] }, (w) => {
      w.comment(
        "void swtch(uint64 *old_rsp, uint64 new_rsp): push the six callee-saved",
        "registers, store RSP in *old_rsp, load new_rsp, pop that thread's six",
        "and return into it. RIP is the return address already on each stack.",
      );
      w.line(".text", ".globl swtch", ".globl thread_start");
      w.line("swtch:").indent(() => {
        w.line("push %rbp", "push %rbx", "push %r12", "push %r13", "push %r14", "push %r15");
        w.line("mov %rsp, (%rdi)", "mov %rsi, %rsp");
        w.line("pop %r15", "pop %r14", "pop %r13", "pop %r12", "pop %rbx", "pop %rbp");
        w.line("ret");
      });
      w.blank();
      w.comment(
        "A new thread's first swtch returns here (arch_context_init in context.c",
        "builds that stack), with its function in R12 and argument in R13: thread_entry(fn, arg).",
      );
      w.line("thread_start:").indent(() => w.line("mov %r12, %rdi", "mov %r13, %rsi", "call thread_entry", "ud2"));
    });
  },
};
