// How the generated aarch64 tree is compiled and linked. Every flag here is an
// input of the kernel's build hash, so the list is fixed and ordered.
import type { ArchToolchain } from "../../input.ts";

export const toolchain: ArchToolchain = {
  target: "aarch64-unknown-none-elf",
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
    // A kernel linked at a fixed address in the upper half (TTBR1): no PIC. The
    // small code model (ADRP, +-4 GiB) reaches every symbol of the image, and
    // computes addresses PC-relatively, which boot.S relies on before the MMU is on.
    "-fno-pic",
    "-fno-pie",
    "-mcmodel=small",
    "-fno-stack-protector",
    // No FP/SIMD registers in the kernel, so a context switch need not save them (lazy FPU):
    // only fpu.c's and testasm.S's assembly touches them.
    "-mgeneral-regs-only",
    // Unaligned accesses are fine with the MMU on (normal memory), but device registers and
    // the boot code before the MMU are not: keep every access aligned.
    "-mstrict-align",
    // Keep X29 as a frame pointer in every function, leaf ones too: a panic walks
    // the X29 chain to print its backtrace.
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
    "max-page-size=4096",
    "-z",
    "noexecstack",
    // A section the linker script does not place is a mistake, not something to guess about.
    "--orphan-handling=error",
  ],
  linkerScript: "arch/aarch64/linker.ld",
  includeDir: "include",
};
