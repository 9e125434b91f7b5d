// The riscv64 port (QEMU virt, OpenSBI fw_dynamic, Sv39): its templates, its
// toolchain, the SDK's pieces for it and its QEMU machine.
import type { Port } from "../../port.ts";
import type { Template } from "../../template.ts";
import { arch } from "./arch.ts";
import { boot } from "./boot.ts";
import { context } from "./context.ts";
import { cow } from "./cow.ts";
import { cpu } from "./cpu.ts";
import { declarations } from "./declarations.ts";
import { entry } from "./entry.ts";
import { fpu, fpuRegs } from "./fpu.ts";
import { frame } from "./frame.ts";
import { initcode } from "./initcode.ts";
import { linker } from "./linker.ts";
import { memlayout, USER_BASE } from "./memlayout.ts";
import { memmap } from "./memmap.ts";
import { power } from "./power.ts";
import { riscv } from "./riscv.ts";
import { selftests } from "./selftest.ts";
import { serial } from "./serial.ts";
import { sigframe } from "./sigframe.ts";
import { swtch } from "./swtch.ts";
import { testasm } from "./testasm.ts";
import { timer } from "./timer.ts";
import { toolchain } from "./toolchain.ts";
import { trap } from "./trap.ts";
import { user } from "./user.ts";
import { vm } from "./vm.ts";

/** U-Boot for QEMU virt, built to run in S-mode under OpenSBI (QEMU's default -bios on virt). */
const UBOOT = "/usr/lib/u-boot/qemu-riscv64_smode/uboot.elf";

const templates: readonly Template[] = [
  arch, boot, context, cow, cpu, entry, fpu, fpuRegs, frame, initcode, linker, memlayout, memmap, power, riscv, serial, sigframe, swtch, testasm, timer, trap, vm,
];

export const port: Port = {
  templates,
  toolchain,
  declarations,
  selftests,
  user,
  userBase: USER_BASE,
  qemu: {
    // QEMU virt, whose default -bios is OpenSBI (fw_dynamic): it enters the Image in S-mode with the device tree in a1.
    // The sifive_test finisher every virt machine has turns the kernel's status into QEMU's exit code ((status << 1) | 1).
    args: ["-M", "virt"],
    kernelFormat: "image",
    qemuPackage: "qemu-system-misc",
    firmwares: {
      // A raw disk image: OpenSBI starts U-Boot in S-mode, whose distro boot reads extlinux.conf and boots the Image with booti.
      uboot: { args: ["-kernel", UBOOT], files: [UBOOT], package: "u-boot-qemu" },
    },
    diskInterface: "virtio",
  },
};
