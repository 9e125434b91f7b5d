// user/lib/crt0.S: where every user program starts. The kernel enters at
// _start with the stack pointer at the top of the stack (16-byte aligned) and
// the spawn argument in the first argument register; main's return value
// becomes the exit status. The instructions are the port's (port.user.start). It also
// carries the Exo note (.note.exo): the kernel runs a program that has it
// under Exo's syscall ABI, any other under Linux's (core/elf.c).
import { syscallNames } from "../../schemas/kernel.ts";
import { portOf } from "../ports.ts";
import { emit, type FixedTemplate } from "../template.ts";

const source = "user/crt0.ts";

/** The Exo ABI note: name and type (the descriptor is the ABI version, 1). */
export const EXO_NOTE_NAME = "Exo";
export const EXO_NOTE_TYPE = 1;

export const crt0: FixedTemplate = {
  source,
  render(arch) {
    const abi = portOf(arch).user;
    const summary = "_start: call main(arg) on the stack the kernel gave, then exit with its result; the Exo ABI note.";
    return emit({ source, path: "lib/crt0.S", summary, options: [] }, (w) => {
      w.line(".text", ".globl _start");
      w.line("_start:").indent(() => w.line(...abi.start(syscallNames.indexOf("exit"))));
      w.blank();
      w.comment("The Exo ABI note: namesz, descsz, type, name (padded to 4), ABI version.");
      w.line(`.section .note.exo, "a", ${abi.noteType}`, ".p2align 2", `.long ${EXO_NOTE_NAME.length + 1}, 4, ${EXO_NOTE_TYPE}`, `.asciz "${EXO_NOTE_NAME}"`, ".p2align 2", ".long 1");
      w.line(`.section .note.GNU-stack, "", ${abi.noteType[0]}progbits`);
    });
  },
};
