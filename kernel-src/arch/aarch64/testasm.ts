// arch/aarch64/testasm.S: code the in-kernel tests need that C cannot express:
// exact register contents across a context switch, FP/SIMD registers (the
// kernel is compiled with -mgeneral-regs-only, so FP-using test code lives
// here), and faulting instructions with a known place to resume. Only built
// with kernel.testMode.
import type { KernelTemplateInput } from "../../input.ts";
import { emit, type Template } from "../../template.ts";

const source = "arch/aarch64/testasm.ts";

/** AAPCS64's callee-saved general registers, x29 (the frame pointer) included. */
const callee = ["x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28", "x29"];

/** Push/pop the callee-saved registers and x30 (96 + 16 bytes, so `extra` more bytes stay free at [sp, #112]). */
function saveAll(extra: number): string[] {
  return [
    `stp x29, x30, [sp, #-${112 + extra}]!`,
    "stp x19, x20, [sp, #16]",
    "stp x21, x22, [sp, #32]",
    "stp x23, x24, [sp, #48]",
    "stp x25, x26, [sp, #64]",
    "stp x27, x28, [sp, #80]",
  ];
}
function restoreAll(extra: number): string[] {
  return ["ldp x19, x20, [sp, #16]", "ldp x21, x22, [sp, #32]", "ldp x23, x24, [sp, #48]", "ldp x25, x26, [sp, #64]", "ldp x27, x28, [sp, #80]", `ldp x29, x30, [sp], #${112 + extra}`];
}

export const testasm: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    if (k.testMode === "off") return undefined;
    const summary = "Assembly helpers of the self-tests and benchmarks: callee-saved registers across a switch, FP/SIMD state, faults to recover from (reads, writes, an undefined instruction).";
    return emit({ source, path: "arch/aarch64/testasm.S", summary, options: ["kernel.testMode"] }, (w) => {
      w.line(".text");
      w.comment(
        "int test_callee_saved(void (*fn)(void), uint64 seed): load seed+i into x19-x29,",
        "call fn (which switches threads), and return 0 if all eleven came back",
        "unchanged, 1 if not.",
      );
      w.line(".globl test_callee_saved");
      w.line("test_callee_saved:").indent(() => {
        w.line(...saveAll(16), "stp x0, x1, [sp, #96]");
        callee.forEach((r, i) => w.line(`add ${r}, x1, #${i + 1}`));
        w.line("ldr x9, [sp, #96]", "blr x9", "ldr x1, [sp, #104]", "mov x0, #0");
        callee.forEach((r, i) => w.line(`add x2, x1, #${i + 1}`, `cmp ${r}, x2`, "cset x3, ne", "orr x0, x0, x3"));
        w.line(...restoreAll(16), "ret");
      });
      w.blank();
      w.comment("void test_clobber(void (*fn)(void)): fill the callee-saved registers with junk, then call fn; restores them.");
      w.line(".globl test_clobber");
      w.line("test_clobber:").indent(() => {
        w.line(...saveAll(0), "mov x9, x0", "mov x10, #0xbeef", "movk x10, #0xdead, lsl #16");
        w.line(...callee.map((r) => `mov ${r}, x10`));
        w.line("blr x9", ...restoreAll(0), "ret");
      });
      w.blank();
      w.comment(
        "void fpu_test_put(uint64 v): v into d0 and ~v into d31. uint64 fpu_test_get(void):",
        "d0 back, or 0 when d31 no longer holds its complement.",
      );
      w.line(".globl fpu_test_put", ".globl fpu_test_get");
      w.line("fpu_test_put:").indent(() => w.line("fmov d0, x0", "mvn x1, x0", "fmov d31, x1", "ret"));
      w.line("fpu_test_get:").indent(() => w.line("fmov x0, d0", "fmov x1, d31", "mvn x1, x1", "cmp x0, x1", "csel x0, x0, xzr, eq", "ret"));
      w.blank();
      w.comment("void test_undef(void): an undefined instruction; a test that expects it resumes at test_undef_resume (a bare ret).");
      w.line(".globl test_undef", ".globl test_undef_resume");
      w.line("test_undef:").indent(() => w.line("udf #0"));
      w.line("test_undef_resume:").indent(() => w.line("ret"));
      w.blank();
      w.comment("uint64 test_read(uint64 addr): loads from addr; after a fault a test resumes at test_read_resume with x0 0.");
      w.line(".globl test_read", ".globl test_read_resume");
      w.line("test_read:").indent(() => w.line("mov x1, x0", "mov x0, #0", "ldr x0, [x1]"));
      w.line("test_read_resume:").indent(() => w.line("ret"));
      w.blank();
      w.comment("void test_write(uint64 addr, uint8 v): stores v at addr; after a fault a test resumes at test_write_resume.");
      w.line(".globl test_write", ".globl test_write_resume");
      w.line("test_write:").indent(() => w.line("strb w1, [x0]"));
      w.line("test_write_resume:").indent(() => w.line("ret"));
    });
  },
};
