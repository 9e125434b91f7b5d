// arch/x86_64/vectors.S: one entry stub per interrupt vector the kernel
// handles (the 32 exceptions and the 16 legacy PIC lines), and alltraps,
// which saves the registers into a struct trapframe and calls trap().
import { emit, type Template } from "../../template.ts";
import { FRAME_REGS as regs } from "./frame.ts";

const source = "arch/x86_64/vectors.ts";

/** Vectors the CPU pushes an error code for; the others get a 0 pushed so every frame has the same shape. */
const withErrorCode = new Set([8, 10, 11, 12, 13, 14, 17, 21, 29, 30]);

/** Vectors with a stub: exceptions 0-31, then the PIC's IRQ 0-15 remapped to 32-47. */
export const VECTOR_COUNT = 48;


export const vectors: Template = {
  source,
  render() {
    const summary = "Interrupt entry stubs for vectors 0-47, alltraps (save registers, call trap, iretq) and the table of stub addresses.";
    return emit({ source, path: "arch/x86_64/vectors.S", summary, options: [] }, (w) => {
      w.comment(
        "Each stub makes the stack look the same: an error code (the CPU's or a 0),",
        "then the vector number, above the CPU's own RIP, CS, RFLAGS, RSP, SS.",
      );
      w.line(".text");
      for (let v = 0; v < VECTOR_COUNT; v++) {
        w.line(`vector${v}:`).indent(() => {
          if (!withErrorCode.has(v)) w.line("pushq $0");
          w.line(`pushq $${v}`, "jmp alltraps");
        });
      }
      w.blank();
      w.comment(
        "Save the general registers so the stack holds a whole struct trapframe,",
        "call trap(tf), restore, drop the vector and error code, return. The",
        "frame is 176 bytes above a 16-byte aligned RSP, so the call is aligned.",
      );
      w.line("alltraps:").indent(() => {
        w.line(...[...regs].reverse().map((r) => `push %${r}`));
        w.line("mov %rsp, %rdi", "cld", "call trap");
        w.line(...regs.map((r) => `pop %${r}`));
        w.line("add $16, %rsp", "iretq");
      });
      w.blank();
      w.comment("Stub addresses by vector, for the IDT (arch/x86_64/trap.c).");
      w.line(".section .rodata", ".globl vectors");
      w.indent(() => w.line(".p2align 3"));
      w.line("vectors:").indent(() => {
        for (let v = 0; v < VECTOR_COUNT; v++) w.line(`.quad vector${v}`);
      });
    });
  },
};
