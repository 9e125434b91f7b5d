// The user programs as templates: the packages of schemas/packages.ts (and
// the self-tests' usertest), each a static ELF built from its own C file, the
// shared crt0 and libexo, and the user linker script. They depend on no
// option, so they are built once and shared by every system.
import type { ArchToolchain, GeneratedFile } from "../input.ts";
import type { FixedTemplate } from "../template.ts";
import { toolchain as kernelToolchain } from "../arch/x86_64/toolchain.ts";
import { crt0 } from "./crt0.ts";
import { header } from "./header.ts";
import { libexo } from "./libexo.ts";
import { userLinker } from "./linker.ts";
import { echoServer } from "./programs/echo-server.ts";
import { hello } from "./programs/hello.ts";
import { init } from "./programs/init.ts";
import { ringBench } from "./programs/ring-bench.ts";
import { usertest } from "./programs/usertest.ts";

/** Every user program, by name; the initrd holds each as bin/<name>. */
export const userPrograms = { init, hello, "echo-server": echoServer, "ring-bench": ringBench, usertest } as const;
export type UserProgram = keyof typeof userPrograms;

const shared: readonly FixedTemplate[] = [crt0, header, libexo, userLinker];

/** Render the whole user tree, sorted by path. */
export function renderUser(): GeneratedFile[] {
  const files = [...shared, ...Object.values(userPrograms)].map((t) => t.render());
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
export const userToolchain: ArchToolchain = {
  target: kernelToolchain.target,
  cflags: [
    "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-ffreestanding", "-fno-builtin", "-nostdinc",
    "-fno-pic", "-fno-pie", "-fno-stack-protector", "-fno-asynchronous-unwind-tables", "-fno-unwind-tables",
  ],
  asflags: kernelToolchain.asflags,
  // No symbols: nothing reads them, and every byte of the initrd is hashed at boot.
  ldflags: [...kernelToolchain.ldflags, "--strip-all"],
  linkerScript: "user.ld",
  includeDir: "include",
};
