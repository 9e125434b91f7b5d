// The arch contract (issue 16): core templates reach the machine only
// through include/arch.h's neutral names, so a second port needs no core
// change. Every file a core template generates, rendered for every arch, is
// scanned for the words of each port (registers, instructions, system
// registers and CSRs, the page-table root's name, the loader), self-tests
// included: a port's own tests live in its arch/<arch>/selftest.c.
import test from "ava";
import { renderKernel, type GeneratedFile } from "../../kernel-src/index.ts";
import { input } from "./inputs.ts";
import { contractEntries } from "../../kernel-src/arch/contract.ts";
import { archs } from "../../schemas/system.ts";

/** Words that belong to one port, matched as whole words, any case. */
export const ARCH_WORDS: readonly string[] = [
  // x86_64
  "rdtsc", "rdmsr", "wrmsr", "invlpg", "cli", "sti", "hlt", "swapgs", "sysret", "iretq", "cpuid", "movsq", "stosq", "movsb", "stosb",
  "cr0", "cr2", "cr3", "cr4", "efer", "lstar", "pml4",
  "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "rip", "rflags", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
  // aarch64
  "mrs", "msr", "eret", "svc", "hvc", "smc", "isb", "dsb", "dmb", "daif", "cntvct_el0", "cntfrq_el0", "pmccntr_el0",
  "x19", "x29", "x30", "ttbr0_el1", "ttbr1_el1", "vbar_el1", "esr_el1", "far_el1", "elr_el1", "spsr_el1", "sctlr_el1", "cpacr_el1", "tpidr_el0",
  // riscv64
  "ecall", "sret", "csrr", "csrw", "csrs", "csrc", "rdtime", "rdcycle", "sfence", "satp", "sstatus", "stvec", "scause", "stval", "sepc", "sscratch", "sie", "sip",
];
/** Whole identifiers by prefix: MSR_LSTAR, MB2_TAG_END, multiboot2, fxsave64, SSTATUS_FS, PSCI_SYSTEM_OFF ... */
const ARCH_PREFIXES: readonly string[] = ["MSR_", "MB1_", "MB2_", "multiboot", "fxsave", "fxrstor", "SSTATUS_", "SATP_", "SCTLR_", "CPACR_", "PSCI_", "GIC"];
/** Port headers that core C must not include (arch.h is the way in). */
const ARCH_HEADERS: readonly string[] = ["cpu.h", "multiboot.h", "riscv.h"];

const archWord = new RegExp(`\\b(?:${ARCH_WORDS.join("|")}|(?:${ARCH_PREFIXES.join("|")})\\w*)\\b`, "gi");

/** Every file a core template generates, over the configs that switch code in or out. */
function coreFiles(): GeneratedFile[] {
  const configs = [input(), input({ testMode: "selftest" }), input({ testMode: "bench" }), input({ ipc: { enable: false }, allocator: { threadCacheObjects: 0 }, scheduler: { policy: "round-robin" } })];
  const renders = archs.flatMap((arch) => configs.map((c) => ({ ...c, arch })));
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

test("core templates use only the arch contract: no x86_64 register, instruction or loader word", (t) => {
  const files = coreFiles();
  t.true(files.some((f) => f.path === "core/proc.c") && files.some((f) => f.path === "include/defs.h"), "the core renders");
  for (const f of files) {
    t.deepEqual(violations(f.text), [], `${f.path} (from kernel-src/${f.template}) names the x86_64 port: use include/arch.h's contract instead`);
  }
});

test("every port provides the whole contract: include/arch.h names each entry of arch/contract.ts, in every build", (t) => {
  for (const arch of archs) {
    for (const testMode of ["off", "selftest", "bench"] as const) {
      const text = renderKernel(input({ testMode }, { arch })).find((f) => f.path === "include/arch.h")?.text;
      t.truthy(text, `${arch} ${testMode}: include/arch.h`);
      for (const [entry, { names, optional, selftestOnly }] of contractEntries()) {
        if (optional || (selftestOnly && testMode !== "selftest")) continue;
        // Defined, not just named in a comment: a macro, a function, or a variable.
        for (const name of names) t.regex(text!, new RegExp(`#define ${name}\\b|\\b${name}[(;]`), `${arch} ${testMode}: ${entry} (${name})`);
      }
    }
  }
});
