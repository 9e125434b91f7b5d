// arch/x86_64/testasm.S: code the in-kernel tests need that C cannot express:
// exact register contents across a context switch, SSE registers (the kernel
// is compiled with -mno-sse, so FPU-using test code lives here), and faulting
// instructions with a known place to resume. Only built with kernel.testMode.
import type { KernelTemplateInput } from "../../input.ts";
import { emit, type Template } from "../../template.ts";

const source = "arch/x86_64/testasm.ts";

const callee = ["%rbx", "%r12", "%r13", "%r14", "%r15", "%rbp"];

export const testasm: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    if (k.testMode === "off") return undefined;
    const summary = "Assembly helpers of the self-tests and benchmarks: callee-saved registers across a switch, SSE state, faults to recover from (reads, writes, #UD).";
    return emit({ source, path: "arch/x86_64/testasm.S", summary, options: ["kernel.testMode"] }, (w) => {
      w.line(".text");
      w.comment(
        "int test_callee_saved(void (*fn)(void), uint64 seed): load seed+i into",
        "RBX, R12-R15 and RBP, call fn (which switches threads), and return 0 if",
        "all six came back unchanged, 1 if not.",
      );
      w.line(".globl test_callee_saved");
      w.line("test_callee_saved:").indent(() => {
        w.line(...callee.map((r) => `push ${r}`), "sub $8, %rsp /* RSP 16-byte aligned at the call */", "push %rsi", "push %rdi");
        callee.forEach((r, i) => w.line(`lea ${i + 1}(%rsi), ${r}`));
        w.line("call *(%rsp)");
        w.line("mov 8(%rsp), %rsi", "xor %eax, %eax");
        callee.forEach((r, i) => w.line(`lea ${i + 1}(%rsi), %rdx`, `cmp %rdx, ${r}`, "setne %dl", "movzx %dl, %edx", "or %edx, %eax"));
        w.line("add $24, %rsp", ...[...callee].reverse().map((r) => `pop ${r}`), "ret");
      });
      w.blank();
      w.comment("void test_clobber(void (*fn)(void)): fill the callee-saved registers with junk, then call fn; restores them.");
      w.line(".globl test_clobber");
      w.line("test_clobber:").indent(() => {
        w.line(...callee.map((r) => `push ${r}`), "push %rdi /* alignment, and the function */");
        w.line(...callee.map((r) => `mov $0xdeadbeef, ${r}`));
        w.line("call *(%rsp)", "add $8, %rsp", ...[...callee].reverse().map((r) => `pop ${r}`), "ret");
      });
      w.blank();
      w.comment("void fpu_test_put(uint64 v): v into XMM0. uint64 fpu_test_get(void): XMM0 back.");
      w.line(".globl fpu_test_put", ".globl fpu_test_get");
      w.line("fpu_test_put:").indent(() => w.line("movq %rdi, %xmm0", "ret"));
      w.line("fpu_test_get:").indent(() => w.line("movq %xmm0, %rax", "ret"));
      w.blank();
      w.comment("void test_ud2(void): raises #UD; a test that expects it resumes at test_ud2_resume.");
      w.line(".globl test_ud2", ".globl test_ud2_resume");
      w.line("test_ud2:").indent(() => w.line("ud2"));
      w.line("test_ud2_resume:").indent(() => w.line("ret"));
      w.blank();
      w.comment("uint64 test_read(uint64 addr): loads from addr; after a #PF a test resumes at test_read_resume with RAX 0.");
      w.line(".globl test_read", ".globl test_read_resume");
      w.line("test_read:").indent(() => w.line("xor %eax, %eax", "mov (%rdi), %rax"));
      w.line("test_read_resume:").indent(() => w.line("ret"));
      w.blank();
      w.comment("void test_write(uint64 addr, uint8 v): stores v at addr; after a #PF a test resumes at test_write_resume.");
      w.line(".globl test_write", ".globl test_write_resume");
      w.line("test_write:").indent(() => w.line("movb %sil, (%rdi)"));
      w.line("test_write_resume:").indent(() => w.line("ret"));
    });
  },
};
