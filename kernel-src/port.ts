// What one architecture's port is (issue 16): everything below the arch
// contract, as one folder kernel-src/arch/<arch>/ whose index.ts exports these
// fields. Core templates, the user SDK, the builders and `exo run` ask the
// port, never an arch name.
import type { KernelConfig, SelfTest } from "./core/selftest/test.ts";
import type { ArchToolchain, KernelTemplateInput } from "./input.ts";
import type { Template } from "./template.ts";

/** A group of include/defs.h: the file that defines them, then the declarations. */
export type DeclarationGroup = readonly [file: string, lines: readonly string[]];

/** How user programs of the Exo ABI are built for this arch (the SDK: user/). */
export interface UserAbi {
  /** clang/lld target triple of user programs. */
  readonly target: string;
  /** Flags of the arch added to the SDK's own (e.g. a code model). */
  readonly cflags: readonly string[];
  /** One sentence on the syscall convention, written above syscall3 in exo.h. */
  readonly syscallComment: string;
  /** The whole C function `static inline int64 syscall3(uint64 nr, uint64 a0, uint64 a1, uint64 a2)`. */
  readonly syscall3: string;
  /** The body of `uint64 cycles(void)`: a free-running counter user code may read. */
  readonly cycles: string;
  /**
   * crt0.S's `_start` instructions (after `_start:`): clear the frame, call
   * main(arg) with the spawn argument the kernel left in the first argument
   * register, then exit with its result through syscall number `exitNumber`.
   */
  readonly start: (exitNumber: number) => readonly string[];
  /** The section directive of a note in this arch's assembler (`@note`, `%note`). */
  readonly noteType: string;
  /** ELF e_machine of its programs. */
  readonly elfMachine: number;
}

/** Firmware a disk image boots under: SeaBIOS, UEFI (OVMF, AAVMF) or U-Boot (on OpenSBI for riscv64). */
export type Firmware = "bios" | "uefi" | "uboot";

/** How QEMU starts one firmware: its arguments, the files they name (checked before QEMU starts), the Debian package of those files. */
export interface FirmwareBoot {
  readonly args: readonly string[];
  readonly files: readonly string[];
  readonly package: string;
}

/** How `exo run` boots a kernel of this arch under QEMU. */
export interface QemuMachine {
  /** Machine, CPU and exit-device arguments, before memory, console and the boot target. */
  readonly args: readonly string[];
  /**
   * What `-kernel` is given: the ELF itself (x86_64's Multiboot), or a flat
   * image made from it with `llvm-objcopy -O binary` (an arm64 or RISC-V
   * Linux-style Image with its header, booted with the device tree in a register).
   */
  readonly kernelFormat: "elf" | "image";
  /** The Debian package of the QEMU binary, for the error that says what to install. */
  readonly qemuPackage: string;
  /** The firmwares a raw (or iso) image boots under, the default first. */
  readonly firmwares?: Readonly<Partial<Record<Firmware, FirmwareBoot>>>;
  /** The bus the raw image's disk sits on. */
  readonly diskInterface?: "ide" | "virtio";
  /**
   * The removable-media file name UEFI firmware boots (`BOOTAA64.EFI`) when the
   * flat Image is itself an EFI application: the raw image then carries a copy
   * of it at `EFI/BOOT/<name>`. Absent: no UEFI boot of the Image.
   */
  readonly efiApp?: string;
}

/** What a port exports from kernel-src/arch/<arch>/index.ts. */
export interface Port {
  readonly templates: readonly Template[];
  readonly toolchain: ArchToolchain;
  /** include/defs.h's groups for the port's own files (core's groups come after). */
  readonly declarations: (input: KernelTemplateInput) => readonly DeclarationGroup[];
  /** The port's self-tests (traps, FPU, page rights), run after the scheduler's. */
  readonly selftests: (k: KernelConfig) => SelfTest[];
  readonly user: UserAbi;
  /** Where SDK programs are linked: the Exo ABI's user window. */
  readonly userBase: number;
  /** Bytes of a thread's FPU save area (struct thread's fpu[]): 512 unless the port says (aarch64: q0-q31, FPCR, FPSR). */
  readonly fpuStateBytes?: number;
  readonly qemu: QemuMachine;
}
