// The SDK's riscv64 pieces (user/): ecall, the time CSR, _start. Exo's
// syscall ABI in Linux's riscv64 registers: the number in a7, the arguments
// in a0-a2, the result (or -errno) in a0; the kernel restores every other
// register.
import type { UserAbi } from "../../port.ts";
import { EM_RISCV } from "./arch.ts";

export const user: UserAbi = {
  target: "riscv64-unknown-none-elf",
  // User programs may use the FPU (the kernel switches its state lazily), with lp64 calls: crt0.S is assembled
  // with the kernel's asflags (lp64), and lld links no two float ABIs together. medany: linked at USER_BASE (1 GiB);
  // no small-data sections (nothing sets gp, and user.ld places none).
  cflags: ["-march=rv64gc", "-mabi=lp64", "-mcmodel=medany", "-mno-relax", "-msmall-data-limit=0"],
  syscallComment: "ecall: the number in a7, the arguments in a0-a2, the result in a0; every other register survives.",
  syscall3: `static inline int64 syscall3(uint64 nr, uint64 a0, uint64 a1, uint64 a2)
{
    register uint64 r0 __asm__("a0") = a0;
    register uint64 r1 __asm__("a1") = a1;
    register uint64 r2 __asm__("a2") = a2;
    register uint64 r7 __asm__("a7") = nr;
    __asm__ volatile("ecall" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r7) : "memory");
    return (int64)r0;
}`,
  cycles: `uint64 t;
__asm__ volatile("rdcycle %0" : "=r"(t));
return t;`,
  start: (exit) => [
    "li s0, 0                /* the outermost frame */",
    "li ra, 0",
    "call main               /* main(arg): a0 is still the spawn argument */",
    `li a7, ${exit}           /* SYS_exit, with main's result in a0 */`,
    "ecall",
    "unimp",
  ],
  noteType: "@note",
  elfMachine: EM_RISCV,
};
