// The arch contract (issue 16): core templates reach the machine only
// through include/arch.h's neutral names, so a second port needs no core
// change. Every file a core template generates is scanned for the words of
// x86_64 (registers, instructions, MSRs, the page-table root's name, the
// Multiboot loader); the allowlist names the files not converted yet, each
// with why, and shrinks as ports land.
import test from "ava";
import { renderKernel, type GeneratedFile } from "../../kernel-src/index.ts";
import { input } from "./inputs.ts";

/** Words that belong to the x86_64 port, matched as whole words, any case. */
export const ARCH_WORDS: readonly string[] = [
  "rdtsc", "rdmsr", "wrmsr", "invlpg", "cli", "sti", "hlt", "swapgs", "sysret", "iretq", "cpuid",
  "cr0", "cr2", "cr3", "cr4", "efer", "lstar", "pml4",
  "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "rip", "rflags", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
];
/** Whole identifiers by prefix: MSR_LSTAR, MB2_TAG_END, multiboot2, fxsave64 ... */
const ARCH_PREFIXES: readonly string[] = ["MSR_", "MB1_", "MB2_", "multiboot", "fxsave", "fxrstor"];
/** Port headers in x86_64 terms that core C must not include (arch.h is the way in). */
const ARCH_HEADERS: readonly string[] = ["cpu.h", "multiboot.h"];

const archWord = new RegExp(`\\b(?:${ARCH_WORDS.join("|")}|(?:${ARCH_PREFIXES.join("|")})\\w*)\\b`, "gi");

/** Generated files still allowed to speak x86_64, with the reason. A folder entry ends with "/". */
export const ALLOWLIST: Readonly<Record<string, string>> = {
  "core/selftest.c": "the self-tests check x86 page rights, MSRs and traps; another helper is splitting them into core and port parts",
  "core/selftest/": "the parts of the self-test split, until the split lands",
};

const allowed = (path: string): boolean => Object.keys(ALLOWLIST).some((k) => (k.endsWith("/") ? path.startsWith(k) : path === k));

/** Every file a core template generates, over the configs that switch code in or out. */
function coreFiles(): GeneratedFile[] {
  const renders = [input(), input({ testMode: "selftest" }), input({ testMode: "bench" }), input({ ipc: { enable: false }, allocator: { threadCacheObjects: 0 }, scheduler: { policy: "round-robin" } })];
  const seen = new Map<string, GeneratedFile>();
  for (const files of renders.map((i) => renderKernel(i))) {
    for (const f of files) if (f.template.startsWith("core/")) seen.set(`${f.path}\n${f.text}`, f);
  }
  return [...seen.values()];
}

/** The arch words in text, each once, in order of first appearance. */
export function archWordsIn(text: string): string[] {
  return [...new Set([...text.matchAll(archWord)].map((m) => m[0]))];
}

/** What ties a generated file to x86_64: its arch words, then the port headers it includes. */
function violations(text: string): string[] {
  return [...archWordsIn(text), ...ARCH_HEADERS.filter((h) => text.includes(`#include "${h}"`)).map((h) => `#include "${h}"`)];
}

test("the word list catches x86 in C text, and not neutral names", (t) => {
  t.deepEqual(archWordsIn('x = rdtsc(); wrmsr(MSR_LSTAR, e); tf->rip = 0; __asm__("cli; hlt"); uint64 pml4; if (magic == MB2_LOADER_MAGIC)'), ["rdtsc", "wrmsr", "MSR_LSTAR", "rip", "cli", "hlt", "pml4", "MB2_LOADER_MAGIC"]);
  t.deepEqual(archWordsIn("/* saves RSP and CR3 */ mov %r12, %rdi"), ["RSP", "CR3", "r12", "rdi"]);
  t.deepEqual(archWordsIn("arch_cycles(); arch_switch_space(space); frame_pc(tf); kernel_cr3(); client; stick; r16; rips"), []);
});

test("core templates use only the arch contract: no x86_64 register, instruction or loader word outside the allowlist", (t) => {
  const files = coreFiles();
  t.true(files.some((f) => f.path === "core/proc.c") && files.some((f) => f.path === "include/defs.h"), "the core renders");
  for (const f of files) {
    if (allowed(f.path)) continue;
    t.deepEqual(violations(f.text), [], `${f.path} (from kernel-src/${f.template}) names the x86_64 port: use include/arch.h's contract instead`);
  }
});

test("every allowlisted file still needs its entry: a converted file leaves the allowlist", (t) => {
  const files = coreFiles();
  for (const entry of Object.keys(ALLOWLIST)) {
    const matching = files.filter((f) => (entry.endsWith("/") ? f.path.startsWith(entry) : f.path === entry));
    if (matching.length === 0) continue; // not generated (yet, or any more): nothing to check
    t.true(matching.some((f) => violations(f.text).length > 0), `${entry} is clean now: remove it from ALLOWLIST`);
  }
});

test("the port provides the contract the core calls: include/arch.h comes with every kernel", (t) => {
  for (const i of [input(), input({ testMode: "selftest" })]) {
    const arch = renderKernel(i).find((f) => f.path === "include/arch.h");
    t.truthy(arch, "include/arch.h");
    for (const name of ["arch_cycles", "arch_irq_save", "arch_irq_restore", "arch_halt", "arch_switch_space", "arch_kernel_space", "arch_fault_addr", "arch_enter_user", "arch_set_tls", "arch_boot_module", "frame_pc", "frame_sp", "frame_set_return"]) {
      t.regex(arch!.text, new RegExp(`\\b${name}\\(`), name);
    }
  }
});
