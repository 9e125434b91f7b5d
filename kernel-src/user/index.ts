// The user SDK as templates: exo.h (the syscall ABI), crt0, libexo and the
// user linker script, which every package builds against (pkgs/), and the
// self-tests' usertest. They depend on no option, so they are built once
// and shared by every system.
import type { ArchToolchain, GeneratedFile } from "../input.ts";
import type { FixedTemplate } from "../template.ts";
import type { Arch } from "../../schemas/system.ts";
import { portOf } from "../ports.ts";
import { crt0 } from "./crt0.ts";
import { header } from "./header.ts";
import { libexo } from "./libexo.ts";
import { userLinker } from "./linker.ts";
import { usertest } from "./programs/usertest.ts";

/** The user programs built from templates: only the self-tests' usertest; every other program is a package (pkgs/). */
export const userPrograms = { usertest } as const;
export type UserProgram = keyof typeof userPrograms;

const shared: readonly FixedTemplate[] = [crt0, header, libexo, userLinker];

/** Render the whole user tree for `arch`, sorted by path. */
export function renderUser(arch: Arch): GeneratedFile[] {
  const files = [...shared, ...Object.values(userPrograms)].map((t) => t.render(arch));
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The generated files one program links, in link order: crt0 first. Each program's template writes bin/<name>.c. */
export function programSources(name: UserProgram): string[] {
  return ["lib/crt0.S", "lib/libexo.c", `bin/${name}.c`];
}

/**
 * How user programs are compiled and linked: the kernel's warnings and
 * freestanding flags, without the kernel-only ones (no red zone, no SSE),
 * and linked with user.ld, stripped.
 */
export function userToolchain(arch: Arch): ArchToolchain {
  const port = portOf(arch);
  return {
    target: port.user.target,
    cflags: [
      "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-ffreestanding", "-fno-builtin", "-nostdinc",
      "-fno-pic", "-fno-pie", "-fno-stack-protector", "-fno-asynchronous-unwind-tables", "-fno-unwind-tables",
      ...port.user.cflags,
    ],
    asflags: port.toolchain.asflags,
    // No symbols: nothing reads them, and every byte of the initrd is hashed at boot.
    ldflags: [...port.toolchain.ldflags, "--strip-all"],
    linkerScript: "user.ld",
    includeDir: "include",
  };
}
