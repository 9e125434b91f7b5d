// The SDK's aarch64 pieces (user/): SVC #0, the PMU cycle counter (the kernel lets EL0 read it), _start.
import type { UserAbi } from "../../port.ts";
import { ELF_MACHINE } from "./arch.ts";
import { toolchain } from "./toolchain.ts";

export const user: UserAbi = {
  target: toolchain.target,
  cflags: [],
  syscallComment: "SVC #0 with the number in x8 and the arguments in x0-x2 (Linux's arm64 convention), the result in x0; every other register survives.",
  syscall3: `static inline int64 syscall3(uint64 nr, uint64 a0, uint64 a1, uint64 a2)
{
    register uint64 x8 __asm__("x8") = nr;
    register uint64 x0 __asm__("x0") = a0;
    register uint64 x1 __asm__("x1") = a1;
    register uint64 x2 __asm__("x2") = a2;
    __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
    return (int64)x0;
}`,
  cycles: `uint64 v;
__asm__ volatile("isb; mrs %0, pmccntr_el0" : "=r"(v));
return v;`,
  start: (exit) => [
    "mov x29, #0             /* the outermost frame */",
    "mov x30, #0",
    "bl main                 /* main(arg): x0 is still the spawn argument */",
    `mov x8, #${exit} /* SYS_exit */`,
    "svc #0",
    "udf #0",
  ],
  noteType: "%note",
  elfMachine: ELF_MACHINE,
};
