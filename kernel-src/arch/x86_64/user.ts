// The SDK's x86_64 pieces (user/): the syscall instruction, the TSC, _start.
import type { UserAbi } from "../../port.ts";
import { toolchain } from "./toolchain.ts";

export const user: UserAbi = {
  target: toolchain.target,
  cflags: [],
  syscallComment: "SYSCALL clobbers RCX and R11, and the kernel clears the argument registers on the way back; RBX, RBP and R12-R15 survive.",
  syscall3: `static inline int64 syscall3(uint64 nr, uint64 a0, uint64 a1, uint64 a2)
{
    int64 r;
    __asm__ volatile("syscall" : "=a"(r), "+D"(a0), "+S"(a1), "+d"(a2) : "a"(nr) : "rcx", "r8", "r9", "r10", "r11", "memory");
    return r;
}`,
  cycles: `uint32 lo, hi;
__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
return ((uint64)hi << 32) | lo;`,
  start: (exit) => [
    "xor %ebp, %ebp          /* the outermost frame */",
    "call main               /* main(arg): RDI is still the spawn argument */",
    "mov %rax, %rdi",
    `mov $${exit}, %eax /* SYS_exit */`,
    "syscall",
    "ud2",
  ],
  noteType: "@note",
  elfMachine: 62,
};
