// core/bench.c: the in-kernel benchmarks (kernel.testMode = "bench"). Each
// prints `EXO-BENCH <name> <value> <unit>`, measured with the cycle counter (arch_cycles). Under QEMU
// -icount (exo run --bench) the TSC follows the instruction count, so the
// figures are deterministic instruction-clock counts, not real cycles. No
// loop overhead is subtracted: each figure includes the loop around the
// operation (the syscall loop's mov, dec and jnz; two or three instructions
// a round in the C loops), a constant of each row.
import type { KernelTemplateInput } from "../input.ts";
import { capabilities } from "../../schemas/sandbox.ts";
import { USER_MODES } from "./initcode-modes.ts";
import { syscallTiers } from "../features.ts";
import { emit, type Template } from "../template.ts";

const source = "core/bench.ts";

export const bench: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    if (k.testMode !== "bench") return undefined;
    const options = [
      "kernel.testMode",
      "kernel.allocator.threadCacheObjects",
      ...(k.ipc.enable ? ["kernel.ipc.enable"] : []),
      "kernel.syscalls.hot",
      "kernel.syscalls.warm",
      "kernel.syscalls.cold",
    ];
    const summary = "The in-kernel benchmarks: boot_to_ready, boot_to_user, ctx_switch, thread_cache_alloc_free (or slab_alloc_free), null_syscall, enosys_syscall, getpid and, with IPC, ring_oneway and ring_batched.";
    return emit({ source, path: "core/bench.c", summary, options }, (w) => {
      w.line('#include "types.h"', '#include "arch.h"', '#include "sysnum.h"', '#include "thread.h"');
      if (k.ipc.enable) w.line('#include "ring.h"');
      w.line('#include "defs.h"');
      w.blank();
      w.line("#define ROUNDS 2000", `#define CAP_ALL ((1UL << ${capabilities.length}) - 1)`);
      w.line("extern uint64 boot_cycles;");
      w.blank();
      w.fn("static void report(const char *name, uint64 total, uint64 count)", () => {
        w.line('kprintf("EXO-BENCH %s %u cycles\\n", name, (uint32)(total / count));');
      });
      w.blank();
      w.line("static volatile int pong_stop;");
      w.fn("static void pong(void *arg)", () => w.line("(void)arg;", "while (!pong_stop)").indent(() => w.line("yield();")));
      w.blank();
      w.comment("Two threads yielding to each other: every yield is one switch.");
      w.fn("static void bench_ctx_switch(void)", () => {
        w.line(`struct thread *t = thread_create("pong", pong, NULL);
if (t == NULL)
    panic("bench: thread_create failed");
pong_stop = 0;
thread_run(t);
yield(); /* warm up: both threads have run once */
uint64 f = arch_irq_save(); /* no timer interrupts inside the measurement */
uint64 start = arch_cycles();
for (int i = 0; i < ROUNDS; i++)
    yield();
uint64 total = arch_cycles() - start;
arch_irq_restore(f);
pong_stop = 1;
thread_join(t);
report("ctx_switch", total, 2 * ROUNDS);`);
      });
      w.blank();
      w.comment("A kmalloc and a kfree of one small object, the thread cache's fast path.");
      const allocName = k.allocator.threadCacheObjects > 0 ? "thread_cache_alloc_free" : "slab_alloc_free";
      w.fn("static void bench_alloc(void)", () => {
        w.line(`kfree(kmalloc(32)); /* warm up: the cache holds objects */
uint64 start = arch_cycles();
for (int i = 0; i < ROUNDS; i++)
    kfree(kmalloc(32));
report("${allocName}", arch_cycles() - start, ROUNDS);`);
      });
      if (k.ipc.enable) {
        w.blank();
        w.comment("One message pushed and popped, inline, per round; then batches pushed and popped, one reservation each.");
        w.fn("static void bench_ring(void)", () => {
          w.line(`static struct ipc_msg batch[32], got[32];
struct ipc_ring *r = ring_create();
struct ipc_msg m = { .tag = 1, .len = 8 }, in;
if (r == NULL)
    panic("bench: ring_create failed");
uint64 start = arch_cycles();
for (int i = 0; i < ROUNDS; i++) {
    ring_try_push(r, &m);
    ring_try_pop(r, &in);
}
report("ring_oneway", arch_cycles() - start, ROUNDS);
for (uint32 i = 0; i < 32; i++)
    batch[i] = (struct ipc_msg){ .tag = 1, .len = 8 };
uint32 n = ring_push_batch(r, batch, 32); /* as many as kernel.ipc.batchSize allows */
if (ring_pop_batch(r, got, n) != n)
    panic("bench: ring_pop_batch");
start = arch_cycles();
for (int i = 0; i < ROUNDS / 32; i++) {
    ring_push_batch(r, batch, n);
    ring_pop_batch(r, got, n);
}
report("ring_batched", arch_cycles() - start, (uint64)(ROUNDS / 32) * n);
ring_destroy(r);`);
        });
      }
      w.blank();
      const built = new Set(syscallTiers(k).flatMap((t) => t.syscalls.map((x) => x.name)));
      w.comment("A process that makes syscall nr 1000 times and exits with the cycles per call (initcode's bench mode).");
      w.fn("static void bench_syscall(const char *name, uint64 nr)", () => {
        w.line(`int killed;
struct uproc *p = uproc_spawn(name, CAP_ALL, ${USER_MODES.bench}, nr);
if (p == NULL)
    panic("bench: uproc_spawn failed");
int64 cycles = uproc_wait(p, &killed);
if (!killed)
    report(name, (uint64)cycles, 1);`);
      });
      w.blank();
      w.comment("The first user process: boot_to_user runs from boot.S's first cycle count to its first syscall.");
      w.fn("static void bench_boot_to_user(void)", () => {
        w.line(`int killed;
struct uproc *p = uproc_spawn("init", CAP_ALL, ${USER_MODES.hello}, 0);
if (p == NULL)
    panic("bench: uproc_spawn failed");
uproc_wait(p, &killed);
if (syscall_first_cycles() != 0) /* a program without syscalls in the tiers makes none */
    report("boot_to_user", syscall_first_cycles() - boot_cycles, 1);`);
      });
      w.blank();
      w.comment("Run every benchmark, then stop with status 0. boot_to_ready comes first: it is measured from boot.S's first cycle count.");
      w.fn("void bench_run(void)", () => {
        w.line('report("boot_to_ready", arch_cycles() - boot_cycles, 1);', "bench_boot_to_user();", "bench_ctx_switch();", "bench_alloc();");
        w.line('bench_syscall("null_syscall", SYS_null); /* the null syscall: the shortest way in and out */');
        w.line('bench_syscall("enosys_syscall", 0xffff); /* a number in no tier: the full frame, the cold list searched, ENOSYS */');
        if (built.has("getpid") && built.has("exit")) w.line('bench_syscall("getpid", SYS_getpid);');
        if (k.ipc.enable) w.line("bench_ring();");
        w.line('kprintf("exo: bench: done\\n");', "arch_halt(0);");
      });
    });
  },
};
