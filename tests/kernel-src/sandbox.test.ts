// The sandbox as the kernel enforces it: core/sandbox.c compiled for this
// machine with stand-ins for the process table, driven by a script of
// opens and channel uses, and the policy table the templates generate.
import test from "ava";
import { renderKernel, type KernelTemplateInput, type PackagePolicy } from "../../kernel-src/index.ts";
import { handlerCapabilities, syscallCapability } from "../../kernel-src/core/syscall.ts";
import { capabilities } from "../../schemas/sandbox.ts";
import { file, input } from "./inputs.ts";
import { HOST_TYPES, hostProgram } from "./host-c.ts";

const DEFS = `#pragma once
#include <string.h>
#include <stdio.h>
struct policy;
int64 path_clean(char *out, uint64 room, const char *dir, const char *path);
int path_under(const char *path, const char *prefix);
const struct policy *policy_find(const char *name);
void sandbox_deny(uint64 cap, const char *fmt, ...);
int64 sandbox_open(const char *path, int write);
int64 sandbox_ipc(uint64 *users, uint64 n);
const struct policy *uproc_policy(void);
const char *uproc_subject(void);
uint32 uproc_pid(void);
uint64 uproc_caps(void);
int uproc_first_denial(uint64 cap);
#define kprintf printf
#define vkprintf vprintf
#define vkprintf_untrusted vprintf
static inline void preempt_off(void) {}
static inline void preempt_on(void) {}
`;

/** Commands: "as POLICY" starts a new process under it; "open PATH r|w"; "ipc N". Each prints its result. */
const HARNESS = `#include "types.h"
#include "errno.h"
#include "policy.h"
#include "defs.h"
static const struct policy *cur;
static uint64 denied;
static uint32 pid;
static uint64 users[8];
const struct policy *uproc_policy(void) { return cur; }
const char *uproc_subject(void) { return cur->name; }
uint32 uproc_pid(void) { return pid; }
uint64 uproc_caps(void) { return cur->caps; }
int uproc_first_denial(uint64 cap) { int first = (denied & cap) == 0; denied |= cap; return first; }
int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "as") == 0) {
      cur = policy_find(argv[++i]);
      denied = 0;
      pid++;
      printf("as %s: %s\\n", argv[i], cur != NULL ? "found" : "unknown");
      if (cur == NULL) return 1;
    } else if (strcmp(argv[i], "open") == 0) {
      char path[128];
      const char *raw = argv[++i];
      int write = argv[++i][0] == 'w';
      long r = path_clean(path, sizeof path, "", raw) < 0 ? -ENOENT : sandbox_open(path, write);
      printf("open %s %s = %ld\\n", raw, write ? "w" : "r", r);
    } else {
      long n = atol(argv[++i]);
      printf("ipc %ld = %ld\\n", n, (long)sandbox_ipc(&users[n], (uint64)n));
    }
  }
  return 0;
}
`;

const pkg = (name: string, version: string, rest: Partial<PackagePolicy> = {}): PackagePolicy => ({
  name: `${name}@${version}`, package: name, capabilities: ["console", "ipc", "fs.read"], memoryPages: 16, read: [], write: [], ipc: [], ...rest,
});

const named = { defaultPolicy: "init", policies: { init: { capabilities: ["console", "spawn", "fs.read"] as never, memoryPages: 8, description: "" } } };

async function sandboxRun(packagePolicies: readonly PackagePolicy[], script: readonly string[]): Promise<string[]> {
  const files = renderKernel(input({}, { sandbox: structuredClone(named), packagePolicies } as Partial<KernelTemplateInput>));
  const run = await hostProgram({
    "types.h": HOST_TYPES,
    "defs.h": DEFS,
    "errno.h": file(files, "include/errno.h"),
    "policy.h": file(files, "include/policy.h"),
    "path.c": file(files, "core/path.c"),
    "sandbox.c": file(files, "core/sandbox.c").replace('#include "defs.h"', '#include "defs.h"\n#include <stdlib.h>'),
    "harness.c": HARNESS.replace('#include "defs.h"', '#include "defs.h"\n#include <stdlib.h>'),
  });
  return (await run(script)).trim().split("\n");
}

test("a package opens for reading only under its read or write prefixes, whole components; writing needs fs.write and a write prefix", async (t) => {
  const out = await sandboxRun(
    [pkg("hello", "0.2.0", { read: ["/etc/exo/"], write: ["/var/hello"] }), pkg("writer", "1.0.0", { capabilities: ["fs.read", "fs.write"], write: ["/var/w"] })],
    [
      "as", "hello@0.2.0",
      "open", "/etc/exo/services", "r",
      "open", "etc/exo", "r",
      "open", "/etc/exorcist", "r",
      "open", "/etc/exo/../passwd", "r",
      "open", "/var/hello/log", "r",
      "open", "/var/hello/log", "w",
      "open", "/etc/exo/services", "w",
      "as", "writer@1.0.0",
      "open", "/var/w/x", "w",
      "open", "/var/wx", "w",
      "open", "/var/wx", "w",
      "open", "/etc/exo/services", "r",
      "as", "init",
      "open", "/anything/at/all", "r",
      "open", "/anything", "w",
    ],
  );
  t.deepEqual(out, [
    "as hello@0.2.0: found",
    "open /etc/exo/services r = 0",
    "open etc/exo r = 0",
    "sandbox: hello@0.2.0 (pid 1) denied fs.read: open /etc/exorcist",
    "open /etc/exorcist r = -1",
    "open /etc/exo/../passwd r = -1", // denied again: printed once per process and capability
    "open /var/hello/log r = 0",
    "sandbox: hello@0.2.0 (pid 1) denied fs.write: open /var/hello/log for writing",
    "open /var/hello/log w = -1",
    "open /etc/exo/services w = -1",
    "as writer@1.0.0: found",
    "open /var/w/x w = 0",
    "sandbox: writer@1.0.0 (pid 2) denied fs.write: open /var/wx for writing",
    "open /var/wx w = -1",
    "open /var/wx w = -1",
    "sandbox: writer@1.0.0 (pid 2) denied fs.read: open /etc/exo/services",
    "open /etc/exo/services r = -1",
    "as init: found",
    "open /anything/at/all r = 0",
    "sandbox: init (pid 3) denied fs.write: open /anything for writing",
    "open /anything w = -1",
  ]);
});

test("a package shares a channel only with the packages it lists; named policies are neither confined nor recorded", async (t) => {
  const out = await sandboxRun(
    [
      pkg("echo-server", "0.1.0", { ipc: ["ring-bench"] }),
      pkg("prober", "1.0.0"),
      pkg("ring-bench", "0.1.0", { ipc: ["echo-server"] }),
      pkg("ring-bench", "0.2.0", { ipc: ["echo-server"] }),
    ],
    [
      "as", "init", "ipc", "0",
      "as", "echo-server@0.1.0", "ipc", "0",
      "as", "ring-bench@0.1.0", "ipc", "0", "ipc", "1",
      "as", "ring-bench@0.2.0", "ipc", "0",
      "as", "echo-server@0.1.0", "ipc", "1",
      "as", "prober@1.0.0", "ipc", "0", "ipc", "1", "ipc", "2",
      "as", "echo-server@0.1.0", "ipc", "2",
      "as", "init", "ipc", "2",
    ],
  );
  t.deepEqual(out, [
    "as init: found",
    "ipc 0 = 0",
    "as echo-server@0.1.0: found",
    "ipc 0 = 0",
    "as ring-bench@0.1.0: found",
    "ipc 0 = 0",
    "ipc 1 = 0",
    "as ring-bench@0.2.0: found",
    "ipc 0 = 0", // another version of a package it lists
    "as echo-server@0.1.0: found",
    "ipc 1 = 0",
    "as prober@1.0.0: found",
    "sandbox: prober@1.0.0 (pid 6) denied ipc: channel 0 is used by echo-server",
    "ipc 0 = -1",
    "ipc 1 = -1",
    "ipc 2 = 0", // a fresh channel: prober is its first user
    "as echo-server@0.1.0: found",
    "sandbox: echo-server@0.1.0 (pid 7) denied ipc: channel 2 is used by prober",
    "ipc 2 = -1",
    "as init: found",
    "ipc 2 = 0",
  ]);
});

test("a package policy is found by its whole name, up to 63 characters; a longer one is refused at render", async (t) => {
  const long = "p".repeat(31);
  const version = "10.20.30-rc.1+build.77777777777";
  t.is(`${long}@${version}`.length, 63);
  const out = await sandboxRun([pkg(long, version)], ["as", `${long}@${version}`]);
  t.deepEqual(out, [`as ${long}@${version}: found`]);
  await t.throwsAsync(sandboxRun([pkg(long, version)], ["as", `${long}@10.20.30`]), undefined, "a prefix names no policy");
  t.throws(() => renderKernel(input({}, { packagePolicies: [pkg(long, `${version}7`)] })), { message: /longer than the kernel's fields \(63 and 31\)/ });
});

test("every capability guards at least one syscall of the generated tables (any tier, either ABI) or a handler's own check", (t) => {
  const files = renderKernel(input({ testMode: "off" }));
  const table = file(files, "core/syscall.c");
  const linux = file(files, "core/linux.c");
  const checks = file(files, "core/sandbox.c") + file(files, "core/uproc.c");
  for (const c of capabilities) {
    const macro = `CAP_${c.replace(".", "_").toUpperCase()}`;
    const warm = new RegExp(`= \\{ (sys|linux)_\\w+, +${macro},`);
    const hot = new RegExp(`if \\(\\(uproc_caps\\(\\) & ${macro}\\) == 0\\)`);
    const cold = new RegExp(`\\{ (\\d+|SYS_\\w+), +\\w+_cold_\\w+, +${macro},`);
    const inTable = [table, linux].some((text) => warm.test(text) || hot.test(text) || cold.test(text));
    const inHandler = Object.entries(handlerCapabilities).some(([s, list]) => list.includes(c) && table.includes(`sys_${s}(`)) && checks.includes(macro);
    t.true(inTable || inHandler, `${c} guards no syscall`);
  }
  t.true(Object.values(syscallCapability).every((c) => c === null || capabilities.includes(c)));
});

test("mmap and munmap go through the process's page count, which every policy's memoryPages bounds", (t) => {
  const files = renderKernel(input({}, { sandbox: structuredClone(named), packagePolicies: [pkg("hello", "0.2.0", { memoryPages: 16 })] } as Partial<KernelTemplateInput>));
  const syscall = file(files, "core/syscall.c");
  t.regex(syscall, /static int64 sys_mmap\([^)]*\)\n\{[^}]*return uproc_mmap\(a1\);/);
  t.regex(syscall, /static int64 sys_munmap\([^)]*\)\n\{[^}]*return uproc_munmap\(a0, a1\);/);
  const uproc = file(files, "core/uproc.c");
  t.regex(uproc, /if \(p->policy != NULL && p->mapped \+ pages > p->policy->memory_pages\) \{\n\s+sandbox_deny\(CAP_MEMORY_MAP, "past %u pages"/);
  t.regex(uproc, /p->mapped -= /);
  const table = file(files, "core/sandbox.c");
  t.true(table.includes('{ "init", NULL, 81 /* console, spawn, fs.read */, 8, NULL, NULL,'), "a named policy's pages");
  t.true(table.includes('{ "hello@0.2.0", "hello", 67 /* console, ipc, fs.read */, 16, read_0, write_0,'), "a package policy's pages");
});
