// How the generated x86_64 tree is compiled and linked. Every flag here is an
// input of the kernel's build hash, so the list is fixed and ordered.
import type { ArchToolchain } from "../../input.ts";
import { PGSIZE } from "./memlayout.ts";

export const toolchain: ArchToolchain = {
  target: "x86_64-unknown-none-elf",
  cflags: [
    "-std=c11",
    "-O2",
    "-Wall",
    "-Wextra",
    "-Werror",
    // Freestanding: no libc, no host headers (types.h stands in), no builtins assumed.
    "-ffreestanding",
    "-fno-builtin",
    "-nostdinc",
    // A kernel linked at a fixed address in the top 2 GiB (KERNBASE): no PIC, the
    // kernel code model (addresses are sign-extended 32-bit), no stack canaries.
    "-fno-pic",
    "-fno-pie",
    "-mcmodel=kernel",
    "-fno-stack-protector",
    // Interrupt handlers will run on the kernel stack: no red zone below RSP.
    "-mno-red-zone",
    // No FPU/SIMD state in the kernel, so a context switch need not save it (lazy FPU).
    "-mno-mmx",
    "-mno-sse",
    "-mno-sse2",
    "-mno-80387",
    // Keep RBP as a frame pointer in every function, leaf ones too: a panic walks
    // the RBP chain to print its backtrace.
    "-fno-omit-frame-pointer",
    "-mno-omit-leaf-frame-pointer",
    // No unwind tables: nothing reads them and the linker script drops .eh_frame.
    "-fno-asynchronous-unwind-tables",
    "-fno-unwind-tables",
  ],
  asflags: ["-nostdinc", "-Wall", "-Wextra", "-Werror"],
  ldflags: [
    "-nostdlib",
    "-static",
    "--build-id=none",
    "-z",
    `max-page-size=${PGSIZE}`,
    "-z",
    "noexecstack",
    // A section the linker script does not place is a mistake, not something to guess about.
    "--orphan-handling=error",
  ],
  linkerScript: "arch/x86_64/linker.ld",
  includeDir: "include",
};
