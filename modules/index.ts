// The base module list: evaluated with every profile, as NixOS's module-list.nix.
import type { Module } from "../generator/eval/module.ts";
import image from "./image.ts";
import kernel from "./kernel/index.ts";
import scheduler from "./kernel/scheduler.ts";
import syscalls from "./kernel/syscalls.ts";
import tmpfs from "./kernel/tmpfs.ts";
import packages from "./packages.ts";
import sandbox from "./sandbox.ts";
import selftest from "./selftest.ts";
import system from "./system.ts";

export const baseModules: readonly Module[] = [system, kernel, scheduler, syscalls, tmpfs, sandbox, selftest, packages, image];
