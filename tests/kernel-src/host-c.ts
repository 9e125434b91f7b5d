// Compile generated kernel files for this machine, beside small stand-in
// headers, so their logic can be tested without booting (as sha256.test.ts).
import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** types.h for the host: the kernel's fixed-width names over the C library's. */
export const HOST_TYPES = `#pragma once
#include <stddef.h>
#include <stdarg.h>
typedef unsigned char uint8;
typedef unsigned short uint16;
typedef unsigned int uint32;
typedef int int32;
typedef unsigned long uint64;
typedef long int64;
`;

/** Write files (name → text) into a new folder, compile the .c ones together into a program, and return a runner for it. */
export async function hostProgram(files: Record<string, string>, flags: readonly string[] = []): Promise<(args: readonly string[]) => Promise<string>> {
  const dir = await mkdtemp(join(tmpdir(), "exo-host-c-"));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  const sources = Object.keys(files).filter((n) => n.endsWith(".c")).map((n) => join(dir, n));
  const exe = join(dir, "program");
  await run("clang", ["-O1", "-Wall", "-Wextra", "-Werror", "-Wno-unused-function", ...flags, "-I", dir, ...sources, "-o", exe]);
  return async (args) => (await run(exe, [...args])).stdout;
}
