// Config drives code: each kernel feature and test mode, switched on or off,
// as the generated C shows it. A feature that is off is absent, not disabled.
import test from "ava";
import { renderKernel, type GeneratedFile } from "../../kernel-src/index.ts";
import { file, input } from "./inputs.ts";
import { linuxNameOf, linuxSyscalls, linuxTiers } from "../../kernel-src/core/linux.ts";
import { syscallNames } from "../../schemas/kernel.ts";
import { selftestNames } from "../../kernel-src/core/selftest.ts";

const has = (files: readonly GeneratedFile[], path: string): boolean => files.some((f) => f.path === path);

test("with testMode off there is no self-test or benchmark code anywhere", (t) => {
  const files = renderKernel(input());
  for (const p of ["core/selftest.c", "core/bench.c", "arch/x86_64/testasm.S"]) t.false(has(files, p), p);
  for (const f of files) t.notRegex(f.text, /EXO-TEST|EXO-BENCH|selftest_run|bench_run|trap_expect/, f.path);
  t.regex(file(files, "core/main.c"), /arch_halt\(0\);/);
});

test("testMode selftest builds the table of selftestNames, each test with its function, and no benchmarks", (t) => {
  const selftestInput = input({ testMode: "selftest" });
  const files = renderKernel(selftestInput);
  const selftest = file(files, "core/selftest.c");
  const table = [...selftest.matchAll(/^ {4}\{ "(\w+)", test_(\w+) \},$/gm)].map((m) => (m[1] === m[2] ? m[1] : `${m[1]} runs test_${m[2]}`));
  t.deepEqual(table, selftestNames(selftestInput));
  // Each test's function: the core's in core/selftest.c, the port's (declared in selftest.h) in the port's own file.
  const port = file(files, "arch/x86_64/selftest.c");
  const header = file(files, "include/selftest.h");
  for (const name of table) {
    const inPort = header.includes(`const char *test_${name}(void);`);
    t.true(inPort ? port.includes(`\nconst char *test_${name}(void)\n{`) : selftest.includes(`static const char *test_${name}(void)\n{`), name);
  }
  t.true(header.includes("const char *test_lazy_fpu(void);") && !header.includes("test_sched_order"), "the port's tests, and only those, are shared");
  t.true(has(files, "arch/x86_64/testasm.S"));
  t.false(has(files, "core/bench.c"));
  t.regex(file(files, "core/main.c"), /selftest_run\(\);/);
});

test("selftestNames has a test of each subsystem the default kernel builds, and leaves out those of features that are off", (t) => {
  const all = selftestNames(input());
  for (const name of ["alloc_thread_cache", "sched_order", "lazy_fpu", "wx_kernel", "user_ipc", "syscall_tiers", "user_spawn", "ring_blocking"]) t.true(all.includes(name), name);
  t.is(new Set(all).size, all.length, "each name once");
  const simple = selftestNames(input({ ipc: { enable: false }, allocator: { threadCacheObjects: 0 }, contextSwitch: { lazyFpu: false } }));
  t.deepEqual(all.filter((n) => !simple.includes(n)), ["alloc_thread_cache", "lazy_fpu", "user_ipc", "ring_order", "ring_overflow", "ring_batch", "ring_batch_wrap", "ring_lengths", "ring_descriptor", "ring_blocking"]);
  t.deepEqual(simple.filter((n) => !all.includes(n)), ["eager_fpu"]);
  const noKill = selftestNames(input({ syscalls: { cold: ["spawn", "wait"] } }));
  t.deepEqual(all.filter((n) => !noKill.includes(n)), ["user_spawn"]);
});

test("testMode bench builds the benchmarks, and no self-tests", (t) => {
  const files = renderKernel(input({ testMode: "bench" }));
  const bench = file(files, "core/bench.c");
  for (const name of ["boot_to_ready", "ctx_switch", "thread_cache_alloc_free", "ring_oneway", "ring_batched"]) t.true(bench.includes(`"${name}"`), name);
  t.false(has(files, "core/selftest.c"));
  t.regex(file(files, "core/main.c"), /bench_run\(\);/);
});

test("lazyFpu = false leaves no #NM handler and no CR0.TS arming; the self-test checks eager switching instead", (t) => {
  const lazy = renderKernel(input({ testMode: "selftest" }));
  t.regex(file(lazy, "arch/x86_64/fpu.c"), /void fpu_trap\(void\)/);
  t.regex(file(lazy, "arch/x86_64/trap.c"), /fpu_trap\(\);/);
  const eager = renderKernel(input({ contextSwitch: { lazyFpu: false }, testMode: "selftest" }));
  for (const f of eager) t.notRegex(f.text, /fpu_trap|fpu_owner|lazy_fpu/, f.path);
  t.notRegex(file(eager, "arch/x86_64/fpu.c"), /CR0_TS\)?;/);
  t.true(file(eager, "core/selftest.c").includes('{ "eager_fpu", test_eager_fpu },'));
});

test("threadCacheObjects = 0 removes the thread cache: kmalloc goes to the slab", (t) => {
  const files = renderKernel(input({ allocator: { threadCacheObjects: 0 }, testMode: "selftest" }));
  t.false(has(files, "core/tcache.c"));
  for (const f of files) t.notRegex(f.text, /tcache|alloc_thread_cache|EXO_ALLOC_THREAD_CACHE/, f.path);
  t.regex(file(files, "core/slab.c"), /void \*kmalloc\(uint64 size\)/);
  t.regex(file(renderKernel(input()), "include/alloc_param.h"), /^#define EXO_ALLOC_THREAD_CACHE_OBJECTS +64 /m);
});

test("memory.isolation compat never looks for PKU; auto and mpk do", (t) => {
  const compat = file(renderKernel(input({ memory: { isolation: "compat" } })), "arch/x86_64/pku.c");
  t.notRegex(compat, /cpuid|CR4_PKE/);
  t.true(compat.includes("isolation compat (configured)"));
  for (const isolation of ["auto", "mpk"] as const) {
    const pku = file(renderKernel(input({ memory: { isolation } })), "arch/x86_64/pku.c");
    t.regex(pku, /CPUID7_ECX_PKU/, isolation);
    t.true(pku.includes("isolation mpk (PKU)"), isolation);
  }
});

test("every exception vector has an entry stub, and those with a CPU error code push no dummy", (t) => {
  const vectors = file(renderKernel(input()), "arch/x86_64/vectors.S");
  for (let v = 0; v < 48; v++) t.true(vectors.includes(`.quad vector${v}\n`), `vector ${v}`);
  t.regex(vectors, /^vector14:\n {4}pushq \$14\n/m);
  t.regex(vectors, /^vector6:\n {4}pushq \$0\n {4}pushq \$6\n/m);
});

test("the context switch saves only the callee-saved registers", (t) => {
  const swtch = file(renderKernel(input()), "arch/x86_64/swtch.S");
  const start = swtch.indexOf("\nswtch:");
  const body = swtch.slice(start, swtch.indexOf("ret\n", start));
  const pushed = [...body.matchAll(/push %(\w+)/g)].map((m) => m[1]).sort();
  t.deepEqual(pushed, ["r12", "r13", "r14", "r15", "rbp", "rbx"]);
  t.notRegex(body, /fxsave|xmm|rax/);
});

test("the timer divides a long timeslice into interrupts the 16-bit PIT can count", (t) => {
  t.regex(file(renderKernel(input()), "arch/x86_64/timer.c"), /^#define TICKS_PER_SLICE 1$/m);
  t.regex(file(renderKernel(input({ scheduler: { timesliceUs: 100_000 } })), "arch/x86_64/timer.c"), /^#define TICKS_PER_SLICE 2$/m);
});

test("each tier is its own dispatch path: a hot table entry.S calls, the warm indexed table, the cold searched list; each with its capability", (t) => {
  const syscall = file(renderKernel(input()), "core/syscall.c");
  // hot (the server's default): an entry of the table entry.S reads, checking the capability itself.
  t.regex(syscall, /^ {4}\[SYS_write\] += hot_exo_write,$/m);
  t.regex(syscall, /static int64 hot_exo_write\([^)]*\)\n\{\n(?: {4}\(void\)a\d;\n)* {4}if \(\(uproc_caps\(\) & CAP_CONSOLE\) == 0\) \{/);
  t.regex(syscall, /^ {4}\[SYS_getpid\] += hot_exo_getpid,$/m);
  // warm: the indexed C table.
  t.regex(syscall, /^ {4}\[SYS_open\] += \{ sys_open, +CAP_NONE, +"open" \},$/m);
  t.regex(syscall, /^ {4}\[SYS_nanosleep\] += \{ sys_nanosleep, +CAP_TIME, +"nanosleep" \},$/m);
  // cold: the searched list.
  t.regex(syscall, /^ {4}\{ SYS_kill, +exo_cold_kill, +CAP_SIGNAL, +"kill" \},$/m);
  t.notRegex(syscall, /\[SYS_kill\]|hot_exo_kill/);
  // Moving getpid to the cold tier moves it out of the hot table into the list; entry.S reads the table by name.
  const moved = file(renderKernel(input({ syscalls: { hot: ["read", "write", "exit"], cold: ["spawn", "wait", "kill", "getpid"] } })), "core/syscall.c");
  t.notRegex(moved, /hot_exo_getpid/);
  t.regex(moved, /^ {4}\{ SYS_getpid, +exo_cold_getpid, +CAP_NONE, +"getpid" \},$/m);
  const entryS = file(renderKernel(input()), "arch/x86_64/entry.S");
  t.regex(entryS, /cmp hot_exo_count, %rax\n +jae syscall_null\n +cmpq \$0, hot_exo0\(,%rax,8\)\n +jne hot_exo_leaf\n +cmpq \$0, hot_exo\(,%rax,8\)/);
  // The argument-less hot entries are also in hot_exo0, which entry.S calls with nothing saved (ARCH_HOT_LEAF); those with arguments are not.
  t.regex(syscall, /static ARCH_HOT_LEAF int64 hot_exo0_getpid\(void\)/);
  t.regex(syscall, /^ {4}\[SYS_getpid\] += hot_exo0_getpid,$/m);
  t.notRegex(syscall, /hot_exo0_write/);
  // The null syscall: its own way in entry.S, and syscall_dispatch's answer where a port has none.
  t.regex(entryS, /syscall_null:\n +cmp \$SYS_null, %rax\n +jne syscall_warm\n +cmpl \$0, syscall_work\n +jne syscall_warm\n +xor %eax, %eax\n +sysretq/);
  t.regex(syscall, /else if \(nr == SYS_null\)/);
  // A syscall in no tier is in no path.
  const without = renderKernel(input({ syscalls: { cold: ["spawn", "wait"] }, testMode: "selftest" }));
  t.notRegex(file(without, "core/syscall.c"), /SYS_kill|sys_kill|_kill\b/);
  t.regex(file(without, "core/selftest.c"), /\{ "kill", 17 \},/);
});

test("a Linux program's syscalls take the tier of their POSIX-X name, warm for the rest", (t) => {
  const linux = file(renderKernel(input()), "core/linux.c");
  t.regex(linux, /^ {4}\[39\] += hot_linux_getpid,$/m);
  t.regex(linux, /^ {4}\[1\] += hot_linux_write,$/m);
  t.regex(linux, /^ {4}\{ 62, +linux_cold_kill, +CAP_NONE, +"kill" \},$/m);
  t.regex(linux, /^ {4}\[57\] += \{ linux_fork, +CAP_PROCESS, +"fork" \},$/m);
  t.regex(linux, /^ {4}\[39\] += \{ NULL, +CAP_NONE, +"getpid" \},$/m);
});

test("without an exit syscall the user program ends in a fault, and the self-test expects that", (t) => {
  const files = renderKernel(input({ syscalls: { hot: ["getpid"], warm: [], cold: [] }, testMode: "selftest" }));
  t.notRegex(file(files, "arch/x86_64/initcode.S"), /SYS_exit|SYS_write/);
  t.true(file(files, "core/selftest.c").includes("no exit syscall: killed at its end"));
  t.false(file(files, "core/selftest.c").includes("syscall_eperm"));
});

test("an exception in user mode kills the process; in the kernel it panics", (t) => {
  const trap = file(renderKernel(input()), "arch/x86_64/trap.c");
  t.regex(trap, /if \(\(tf->cs & 3\) == 3\)\n +uproc_kill\(/);
  t.true(trap.includes('"exo: panic: exception %u (%s) error %p\\n"'));
  t.true(trap.includes('"exo: panic: rip %p cr2 %p rsp %p rflags %p\\n"'));
});

test("the predictive scheduler guards against starvation and counts a preempted burst whole; round-robin has neither", (t) => {
  const predictive = file(renderKernel(input()), "core/sched.c");
  t.regex(predictive, /^#define STARVE_LIMIT 16$/m);
  t.true(predictive.includes("t->burst += cycles;"));
  const rr = file(renderKernel(input({ scheduler: { policy: "round-robin" } })), "core/sched.c");
  t.notRegex(rr, /STARVE_LIMIT|burst/);
});

test("the memory map keeps the kernel image, the loader's info and the boot modules out of the allocator", (t) => {
  const memmap = file(renderKernel(input()), "arch/x86_64/memmap.c");
  // The image's link addresses are in the kernel's half: reserved as physical ranges.
  t.true(memmap.includes("reserve(V2P(__image_start), V2P(__bss_end));"));
  t.regex(memmap, /if \(type == MB2_TAG_MODULE\)\n +reserve\(/);
  // The loader's tables are physical, read through the direct map.
  t.true(memmap.includes("#define RD32(pa) (*(const uint32 *)P2V(pa))"));
  t.regex(memmap, /reserve\(RD32\(mods \+ 16 \* i\), RD32\(mods \+ 16 \* i \+ 4\)\);/);
});

test("the first process runs under the default sandbox policy, or with every capability without policies", (t) => {
  t.regex(file(renderKernel(input()), "core/main.c"), /#define SPAWN_INIT\(path\) uproc_spawn_file\(path, CAP_ALL, 0, &init\)/);
  const sandbox = { defaultPolicy: "init", policies: { init: { capabilities: ["console", "time"] as const, memoryPages: 256, description: "" } } };
  const files = renderKernel({ ...input(), sandbox: structuredClone(sandbox) as never });
  const main = file(files, "core/main.c");
  t.true(main.includes('const struct policy *policy = policy_find("init");'));
  t.true(main.includes("#define SPAWN_INIT(path) uproc_spawn_policy(path, policy, 0, &init)"));
  t.true(file(files, "core/sandbox.c").includes('{ "init", NULL, 9 /* console, time */, 256, NULL, NULL, 0x0UL, 0x0UL },'));
});

test("every POSIX-X name of the tiers is implemented in Exo's table and, unless Exo's own, in Linux's", (t) => {
  const everything = input({ syscalls: { hot: [...syscallNames], warm: [], cold: [] } });
  t.notThrows(() => linuxTiers(everything.kernel));
  const syscall = file(renderKernel(everything), "core/syscall.c");
  for (const name of syscallNames) t.true(syscall.includes(`static int64 hot_exo_${name}(`), `${name} has a hot entry`);
  const linuxNames = new Set(linuxSyscalls.map((s) => s.name));
  for (const name of syscallNames) {
    const linux = linuxNameOf[name];
    if (linux !== null) t.true(linuxNames.has(linux), `${name} is ${linux} under Linux`);
  }
  t.deepEqual(syscallNames.filter((n) => linuxNameOf[n] === null), ["ipc_send", "ipc_recv", "spawn"]);
});
