// arch/riscv64/testasm.S: code the in-kernel tests need that C cannot
// express: exact register contents across a context switch, FP registers
// (the kernel is built without F/D, so the instructions are words), and
// faulting instructions with a known place to resume. Only built with
// kernel.testMode.
import type { KernelTemplateInput } from "../../input.ts";
import { emit, type Template } from "../../template.ts";
import { fmvDX, fmvXD } from "./fpu.ts";

const source = "arch/riscv64/testasm.ts";

const callee = ["s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11"];
const A0 = 10;
/** Stack space for ra, s0-s11 and one more word, 16-byte aligned. */
const FRAME = 112;

export const testasm: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    if (k.testMode === "off") return undefined;
    const summary = "Assembly helpers of the self-tests and benchmarks: callee-saved registers across a switch, FP registers, faults to recover from (reads, writes, an illegal instruction).";
    return emit({ source, path: "arch/riscv64/testasm.S", summary, options: ["kernel.testMode"] }, (w) => {
      const save = () => w.line(`addi sp, sp, -${FRAME}`, "sd ra, 0(sp)", ...callee.map((r, i) => `sd ${r}, ${8 * (i + 1)}(sp)`));
      const restore = () => w.line("ld ra, 0(sp)", ...callee.map((r, i) => `ld ${r}, ${8 * (i + 1)}(sp)`), `addi sp, sp, ${FRAME}`, "ret");
      w.line(".text");
      w.comment(
        "int test_callee_saved(void (*fn)(void), uint64 seed): load seed+i into",
        "s0-s11, call fn (which switches threads), and return 0 if all twelve",
        "came back unchanged, 1 if not.",
      );
      w.line(".globl test_callee_saved");
      w.line("test_callee_saved:").indent(() => {
        save();
        w.line("sd a1, 104(sp)");
        callee.forEach((r, i) => w.line(`addi ${r}, a1, ${i + 1}`));
        w.line("jalr a0", "ld t1, 104(sp)", "li a0, 0");
        callee.forEach((r, i) => w.line(`addi t2, t1, ${i + 1}`, `xor t2, t2, ${r}`, "or a0, a0, t2"));
        w.line("snez a0, a0");
        restore();
      });
      w.blank();
      w.comment("void test_clobber(void (*fn)(void)): fill s0-s11 with junk, then call fn; restores them.");
      w.line(".globl test_clobber");
      w.line("test_clobber:").indent(() => {
        save();
        w.line("li t0, 0xdeadbeef", ...callee.map((r) => `mv ${r}, t0`), "jalr a0");
        restore();
      });
      w.blank();
      w.comment("void fpu_test_put(uint64 v): v into f0 and f31. uint64 fpu_test_get(void): f0 back, or 0 when f31 differs.");
      w.line(".globl fpu_test_put", ".globl fpu_test_get");
      w.line("fpu_test_put:").indent(() => w.line(fmvDX(0, A0), fmvDX(31, A0), "ret"));
      w.line("fpu_test_get:").indent(() => w.line(fmvXD(A0, 0), fmvXD(5, 31), "beq a0, t0, 1f", "li a0, 0"));
      w.line("1:").indent(() => w.line("ret"));
      w.blank();
      w.comment("void test_illegal(void): an illegal instruction; a test that expects it resumes at test_illegal_resume (a bare ret).");
      w.line(".globl test_illegal", ".globl test_illegal_resume");
      w.line("test_illegal:").indent(() => w.line(".word 0xc0001073 /* csrw cycle, zero: the canonical 32-bit unimp */"));
      w.line("test_illegal_resume:").indent(() => w.line("ret"));
      w.blank();
      w.comment("uint64 test_read(uint64 addr): loads from addr; after a fault a test resumes at test_read_resume with a0 0.");
      w.line(".globl test_read", ".globl test_read_resume");
      w.line("test_read:").indent(() => w.line("mv t0, a0", "li a0, 0", "ld a0, 0(t0)"));
      w.line("test_read_resume:").indent(() => w.line("ret"));
      w.blank();
      w.comment("void test_write(uint64 addr, uint8 v): stores v at addr; after a fault a test resumes at test_write_resume.");
      w.line(".globl test_write", ".globl test_write_resume");
      w.line("test_write:").indent(() => w.line("sb a1, 0(a0)"));
      w.line("test_write_resume:").indent(() => w.line("ret"));
    });
  },
};
