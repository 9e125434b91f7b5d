// The x86_64 port: its templates and its toolchain.
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

export { toolchain } from "./toolchain.ts";

export const templates: readonly Template[] = [
  arch, boot, context, cow, cpu, entry, fpu, frame, gdt, initcode, linker, memlayout, memmap, multiboot, pku, power, serial, sigframe, swtch, testasm, timer, trap, vectors, vm,
];
