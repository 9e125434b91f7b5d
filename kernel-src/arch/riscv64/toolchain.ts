// How the generated riscv64 tree is compiled and linked. Every flag here is an
// input of the kernel's build hash, so the list is fixed and ordered.
import type { ArchToolchain } from "../../input.ts";

/** The kernel's ISA: no F or D, so no C file can touch the FPU; fpu.S writes its FP instructions as words. */
const march = ["-march=rv64imac", "-mabi=lp64"];

export const toolchain: ArchToolchain = {
  target: "riscv64-unknown-none-elf",
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
    ...march,
    // Linked in the upper half, yet boot.S and vm.c's boot_map run at physical
    // addresses before the MMU is on: medany reaches every symbol PC-relatively,
    // which works at both. No PIC, no stack canaries, no linker relaxation (no gp).
    "-mcmodel=medany",
    "-fno-pic",
    "-fno-pie",
    "-fno-stack-protector",
    "-mno-relax",
    // No jump tables: a table of absolute addresses read before the MMU is on would point nowhere.
    "-fno-jump-tables",
    // Keep s0 as a frame pointer in every function: a panic walks the chain for its backtrace.
    "-fno-omit-frame-pointer",
    // No unwind tables: nothing reads them and the linker script drops .eh_frame.
    "-fno-asynchronous-unwind-tables",
    "-fno-unwind-tables",
  ],
  asflags: ["-nostdinc", "-Wall", "-Wextra", "-Werror", ...march, "-mno-relax"],
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
  linkerScript: "arch/riscv64/linker.ld",
  includeDir: "include",
};
