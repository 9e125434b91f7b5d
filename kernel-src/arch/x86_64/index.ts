// The x86_64 port: its templates, its toolchain, the SDK's pieces for it and its QEMU machine.
import type { Port } from "../../port.ts";
import type { Template } from "../../template.ts";
import { arch } from "./arch.ts";
import { boot } from "./boot.ts";
import { context } from "./context.ts";
import { cow } from "./cow.ts";
import { cpu } from "./cpu.ts";
import { entry } from "./entry.ts";
import { fpu } from "./fpu.ts";
import { frame } from "./frame.ts";
import { gdt } from "./gdt.ts";
import { initcode } from "./initcode.ts";
import { linker } from "./linker.ts";
import { memlayout } from "./memlayout.ts";
import { memmap } from "./memmap.ts";
import { multiboot } from "./multiboot.ts";
import { pku } from "./pku.ts";
import { power } from "./power.ts";
import { serial } from "./serial.ts";
import { sigframe } from "./sigframe.ts";
import { swtch } from "./swtch.ts";
import { testasm } from "./testasm.ts";
import { timer } from "./timer.ts";
import { trap } from "./trap.ts";
import { vectors } from "./vectors.ts";
import { vm } from "./vm.ts";

import { declarations } from "./declarations.ts";
import { USER_BASE } from "./memlayout.ts";
import { selftests } from "./selftest.ts";
import { toolchain } from "./toolchain.ts";
import { user } from "./user.ts";

const templates: readonly Template[] = [
  arch, boot, context, cow, cpu, entry, fpu, frame, gdt, initcode, linker, memlayout, memmap, multiboot, pku, power, serial, sigframe, swtch, testasm, timer, trap, vectors, vm,
];

export const port: Port = {
  templates,
  toolchain,
  declarations,
  selftests,
  user,
  userBase: USER_BASE,
  qemu: {
    // QEMU's default PC machine; isa-debug-exit turns the kernel's status into QEMU's exit code ((status << 1) | 1).
    args: ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"],
    kernelFormat: "elf",
    qemuPackage: "qemu-system-x86",
    firmwares: {
      bios: { args: [], files: [], package: "qemu-system-x86" }, // SeaBIOS, QEMU's own
      uefi: { args: ["-drive", "if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE.fd"], files: ["/usr/share/OVMF/OVMF_CODE.fd"], package: "ovmf" },
    },
    diskInterface: "ide",
  },
};
