// The x86_64 port: its templates and its toolchain.
import type { Template } from "../../template.ts";
import { boot } from "./boot.ts";
import { cpu } from "./cpu.ts";
import { linker } from "./linker.ts";
import { memlayout } from "./memlayout.ts";
import { multiboot } from "./multiboot.ts";
import { power } from "./power.ts";
import { serial } from "./serial.ts";

export { toolchain } from "./toolchain.ts";

export const templates: readonly Template[] = [boot, cpu, linker, memlayout, multiboot, power, serial];
