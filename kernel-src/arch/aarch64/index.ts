// The aarch64 port (QEMU virt, cortex-a72): its templates, its toolchain, the
// SDK's pieces for it and its QEMU machine.
import type { Port } from "../../port.ts";
import type { Template } from "../../template.ts";
import { arch } from "./arch.ts";
import { boot } from "./boot.ts";
import { context } from "./context.ts";
import { cow } from "./cow.ts";
import { cpu } from "./cpu.ts";
import { declarations } from "./declarations.ts";
import { efi } from "./efi.ts";
import { fpu } from "./fpu.ts";
import { frame } from "./frame.ts";
import { initcode } from "./initcode.ts";
import { linker } from "./linker.ts";
import { memlayout, USER_BASE } from "./memlayout.ts";
import { memmap } from "./memmap.ts";
import { power } from "./power.ts";
import { selftests } from "./selftest.ts";
import { serial } from "./serial.ts";
import { sigframe } from "./sigframe.ts";
import { swtch } from "./swtch.ts";
import { testasm } from "./testasm.ts";
import { timer } from "./timer.ts";
import { toolchain } from "./toolchain.ts";
import { trap } from "./trap.ts";
import { user } from "./user.ts";
import { vectors } from "./vectors.ts";
import { vm } from "./vm.ts";

/** U-Boot for QEMU virt (arm64), run as the machine's firmware at EL1 (EL2 with virtualization=on). */
const UBOOT = "/usr/lib/u-boot/qemu_arm64/u-boot.bin";
/** EDK2 for QEMU's arm virt (AAVMF, Debian's qemu-efi-aarch64): flash unit 0, which must be 64 MiB (it is). */
const AAVMF = "/usr/share/AAVMF/AAVMF_CODE.fd";

const templates: readonly Template[] = [
  arch, boot, context, cow, cpu, efi, fpu, frame, initcode, linker, memlayout, memmap, power, serial, sigframe, swtch, testasm, timer, trap, vectors, vm,
];

export const port: Port = {
  templates,
  toolchain,
  declarations,
  selftests,
  user,
  userBase: USER_BASE,
  // q0-q31 and FPCR, FPSR.
  fpuStateBytes: 528,
  qemu: {
    // QEMU virt with a Cortex-A72 and its default GICv2; semihosting turns the kernel's
    // status into QEMU's exit code ((status << 1) | 1, power.c).
    args: ["-M", "virt", "-cpu", "cortex-a72", "-semihosting-config", "enable=on,target=native"],
    kernelFormat: "image",
    qemuPackage: "qemu-system-arm",
    firmwares: {
      // A raw disk image: U-Boot's distro boot reads extlinux.conf and boots the Image with booti, which moves
      // it to text_offset (2 MiB) above the start of RAM, where it is linked (boot.ts).
      uboot: { args: ["-bios", UBOOT], files: [UBOOT], package: "u-boot-qemu" },
      // UEFI boots EFI/BOOT/BOOTAA64.EFI, the Image itself (efi.c is its stub). AAVMF offers the device tree as a
      // configuration table only when QEMU gives it no ACPI tables, hence acpi=off (QEMU merges the two -machine).
      // menu=on,splash-time=0 sets the boot manager's countdown to 0 (fw_cfg etc/boot-menu-wait): about 2 s less.
      uefi: { args: ["-machine", "acpi=off", "-boot", "menu=on,splash-time=0", "-drive", `if=pflash,format=raw,readonly=on,file=${AAVMF}`], files: [AAVMF], package: "qemu-efi-aarch64" },
    },
    efiApp: "BOOTAA64.EFI",
    diskInterface: "virtio",
  },
};
