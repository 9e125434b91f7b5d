// user/lib/crt0.S: where every user program starts. The kernel enters at
// _start with RSP at the top of the stack (16-byte aligned) and the spawn
// argument in RDI; main's return value becomes the exit status.
import { syscallNames } from "../../schemas/kernel.ts";
import { emit, type FixedTemplate } from "../template.ts";

const source = "user/crt0.ts";

export const crt0: FixedTemplate = {
  source,
  render() {
    const summary = "_start: call main(arg) on the stack the kernel gave, then exit with its result.";
    return emit({ source, path: "lib/crt0.S", summary, options: [] }, (w) => {
      w.line(".text", ".globl _start");
      w.line("_start:").indent(() => {
        w.line("xor %ebp, %ebp          /* the outermost frame */");
        w.line("call main               /* main(arg): RDI is still the spawn argument */");
        w.line("mov %rax, %rdi", `mov $${syscallNames.indexOf("exit")}, %eax /* SYS_exit */`, "syscall", "ud2");
      });
      w.line('.section .note.GNU-stack, "", @progbits');
    });
  },
};
