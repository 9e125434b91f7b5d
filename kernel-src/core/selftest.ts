// core/selftest.c: the in-kernel tests (kernel.testMode = "selftest"), a table
// of named tests in the manner of xv6's usertests. Each prints
// `EXO-TEST <name> ok|FAIL [detail]`; the kernel then exits 0 if all passed.
// Tests of features that are off are not in the table (nor in the C).
import type { KernelTemplateInput } from "../input.ts";
import { syscallNames } from "../../schemas/kernel.ts";
import { capabilities } from "../../schemas/sandbox.ts";
import { USER_MODES } from "../arch/x86_64/initcode.ts";
import { USERTEST_MODES, USERTEST_WITH_IPC } from "../user/programs/usertest.ts";
import { syscallTiers } from "../features.ts";
import { emit, type Template } from "../template.ts";
import type { Writer } from "../writer.ts";

const source = "core/selftest.ts";

interface Test {
  readonly name: string;
  readonly body: string;
  readonly helpers?: string;
}

function tests(k: KernelTemplateInput["kernel"]): Test[] {
  const predictive = k.scheduler.policy === "predictive";
  const out: Test[] = [];
  out.push({
    name: "alloc_buddy",
    body: `uint64 before = buddy_free_pages();
uint8 *a = page_alloc(0), *b = page_alloc(3);
if (a == NULL || b == NULL)
    return "page_alloc returned NULL";
if (((uint64)a & 4095) != 0 || ((uint64)b & (8 * 4096 - 1)) != 0)
    return "a block is not aligned to its size";
if (buddy_free_pages() != before - 9)
    return "free page count is off after two allocations";
memset(b, 0xa5, 8 * 4096);
page_free(a, 0);
page_free(b, 3);
if (buddy_free_pages() != before)
    return "free page count is off after freeing";
uint8 *c = page_alloc(10);
if (c == NULL)
    return "no 4 MiB block: buddies did not merge";
page_free(c, 10);
detail_str("free pages ");
detail_num(before);`,
  });
  out.push({
    name: "alloc_slab",
    body: `void *p[64];
for (int i = 0; i < 64; i++) {
    p[i] = slab_alloc(1);
    if (p[i] == NULL || slab_class_of(p[i]) != 1 || ((uint64)p[i] & 31) != 0)
        return "a 32-byte object is missing, misaligned or in the wrong class";
    for (int j = 0; j < i; j++)
        if (p[j] == p[i])
            return "the same object was handed out twice";
}
for (int i = 0; i < 64; i++)
    slab_free(p[i]);
if (slab_alloc(1) != p[63])
    return "a freed object was not reused first";
slab_free(p[63]);
if (kmalloc_class(16) != 0 || kmalloc_class(17) != 1 || kmalloc_class(2048) != 7)
    return "size classes are wrong";`,
  });
  if (k.allocator.threadCacheObjects > 0) {
    out.push({
      name: "alloc_thread_cache",
      body: `void *p[2 * EXO_TC_OBJECTS];
uint32 cls = kmalloc_class(48);
for (int i = 0; i < 2 * EXO_TC_OBJECTS; i++)
    if ((p[i] = kmalloc(48)) == NULL)
        return "kmalloc returned NULL";
for (int i = 0; i < 2 * EXO_TC_OBJECTS; i++) {
    kfree(p[i]);
    if (tcache_count(cls) > EXO_TC_OBJECTS)
        return "the thread cache grew past kernel.allocator.threadCacheObjects";
}
void *q = kmalloc(48);
if (q != p[2 * EXO_TC_OBJECTS - 1])
    return "the last object freed was not the first reused";
kfree(q);
detail_str("objects per class ");
detail_num(EXO_TC_OBJECTS);`,
    });
  }
  out.push({
    name: "sched_order",
    helpers: `static uint32 run_log[4], run_count;
static void log_run(void *arg) { run_log[run_count++] = (uint32)(uint64)arg; }`,
    body: predictive
      ? `struct thread *t[3];
uint64 us = tsc_per_us;
uint64 predicted[3] = { 50 * us * EXO_SCHED_COLD_X, us, (EXO_SCHED_HOT_US + 1) * us }; /* cold, hot, normal */
run_count = 0;
for (uint64 i = 0; i < 3; i++) {
    if ((t[i] = thread_create("order", log_run, (void *)i)) == NULL)
        return "thread_create failed";
    sched_predict(t[i], predicted[i]);
}
if (sched_classify(predicted[0]) != 2 || sched_classify(predicted[1]) != 0 || sched_classify(predicted[2]) != 1)
    return "thresholds put a thread in the wrong queue";
preempt_off(); /* the order under test is the scheduler's, not the timer's */
for (int i = 0; i < 3; i++)
    thread_run(t[i]);
for (int i = 0; i < 3; i++)
    thread_join(t[i]);
preempt_on();
if (run_count != 3 || run_log[0] != 1 || run_log[1] != 2 || run_log[2] != 0)
    return "threads did not run hot, normal, cold";
uint64 mean = sched_ema(sched_ema(0, 1000, 0), 3000, 1);
uint64 ema = sched_ema(1000, 2000, EXO_SCHED_HISTORY_N);
if (mean != 2000)
    return "the mean of the first runs is wrong";
uint32 a = sched_alpha_q16();
if (ema != 1000 + ((1000 * (uint64)a + 32768) >> 16))
    return "the EMA step is wrong";
detail_str("hot normal cold, alpha_q16 ");
detail_num(a);
detail_str(" ema 1000+2000 -> ");
detail_num(ema);`
      : `struct thread *t[3];
run_count = 0;
for (uint64 i = 0; i < 3; i++)
    if ((t[i] = thread_create("order", log_run, (void *)i)) == NULL)
        return "thread_create failed";
preempt_off(); /* the order under test is the scheduler's, not the timer's */
for (int i = 0; i < 3; i++)
    thread_run(t[i]);
for (int i = 0; i < 3; i++)
    thread_join(t[i]);
preempt_on();
if (run_count != 3 || run_log[0] != 0 || run_log[1] != 1 || run_log[2] != 2)
    return "threads did not run in FIFO order";
detail_str("round-robin fifo");`,
  });
  out.push({
    name: "ctx_switch",
    helpers: `static volatile int clobber_stop;
static void clobber_loop(void *arg)
{
    (void)arg;
    while (!clobber_stop)
        test_clobber(yield);
}`,
    body: `struct thread *t = thread_create("clobber", clobber_loop, NULL);
int bad = 0;
if (t == NULL)
    return "thread_create failed";
clobber_stop = 0;
thread_run(t);
uint64 before = curthread->switches;
for (uint64 i = 0; i < 100; i++)
    bad |= test_callee_saved(yield, 0x1000 + i * 16);
clobber_stop = 1;
thread_join(t);
if (curthread->switches - before < 100)
    return "the test thread was not switched out";
if (bad)
    return "a callee-saved register changed across a switch";
detail_str("switches ");
detail_num(curthread->switches - before);`,
  });
  out.push({
    name: "timer_preempt",
    helpers: `static volatile uint64 spins[2];
static volatile int spin_stop;
static void spinner(void *arg)
{
    while (!spin_stop)
        spins[(uint64)arg]++;
}`,
    body: `struct thread *t[2];
uint64 start = ticks;
spin_stop = 0;
spins[0] = spins[1] = 0;
for (uint64 i = 0; i < 2; i++) {
    if ((t[i] = thread_create("spin", spinner, (void *)i)) == NULL)
        return "thread_create failed";
    thread_run(t[i]);
}
while (ticks - start < 6 && (spins[0] == 0 || spins[1] == 0))
    yield();
int ok = spins[0] > 0 && spins[1] > 0;
spin_stop = 1;
thread_join(t[0]);
thread_join(t[1]);
if (!ok)
    return "a spinning thread was never preempted";
detail_str("ticks ");
detail_num(ticks - start);`,
  });
  out.push({
    name: k.contextSwitch.lazyFpu ? "lazy_fpu" : "eager_fpu",
    helpers: `static volatile int fpu_bad;
static void fpu_worker(void *arg)
{
    uint64 v = (uint64)arg;
    fpu_test_put(v);
    for (int i = 0; i < 20; i++) {
        yield();
        if (fpu_test_get() != v)
            fpu_bad = 1;
    }
}
static void no_fpu_worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 20; i++)
        yield();
    if (curthread->fpu_used)
        fpu_bad = 2;
}`,
    body: `struct thread *t[3];
fpu_bad = 0;
uint64 saves = fpu_saves;
t[0] = thread_create("fpu-a", fpu_worker, (void *)0x1111222233334444UL);
t[1] = thread_create("fpu-b", fpu_worker, (void *)0x5555666677778888UL);
t[2] = thread_create("no-fpu", no_fpu_worker, NULL);
if (t[0] == NULL || t[1] == NULL || t[2] == NULL)
    return "thread_create failed";
for (int i = 0; i < 3; i++)
    thread_run(t[i]);
for (int i = 0; i < 3; i++)
    thread_join(t[i]);
if (fpu_bad == 1)
    return "an SSE register changed across a switch";
if (fpu_bad == 2 && FPU_LAZY)
    return "a thread that never used the FPU had its state saved";
saves = fpu_saves - saves;
detail_str("fxsaves ");
detail_num(saves);`.replace("FPU_LAZY", k.contextSwitch.lazyFpu ? "1" : "0"),
  });
  out.push({
    name: "exception_recovery",
    body: `uint64 cr2, rip;
trap_expect(6, test_ud2_resume);
test_ud2();
if (!trap_caught(&cr2, &rip) || rip != (uint64)test_ud2)
    return "#UD was not caught at the ud2";
trap_expect(14, test_read_resume);
if (test_read(0x80000000UL) != 0 || !trap_caught(&cr2, &rip) || cr2 != 0x80000000UL)
    return "#PF did not report the faulting address in CR2";
detail_str("#UD and #PF caught, cr2 ");
detail_hex(cr2);`,
  });
  out.push(...wxTests());
  const built = new Set(syscallTiers(k).flatMap((t) => t.syscalls.map((x) => x.name)));
  // ipc_send and ipc_recv do not exist at all without IPC (features.ts), so they are not tested as absent either.
  const absent = syscallNames.filter((n) => !built.has(n) && (k.ipc.enable || !n.startsWith("ipc_")));
  out.push({
    name: "user_process",
    body: `int killed;
int64 status = run_builtin("hello", CAP_ALL, ${USER_MODES.hello}, 0, &killed);
if (status == NOT_STARTED)
    return "uproc_spawn failed";${
      built.has("exit")
        ? ""
        : `
if (!killed)
    return "without an exit syscall the program should fault at its end";
detail_str("no exit syscall: killed at its end");
return NULL;`
    }
if (killed)
    return "the process was killed";${
      built.has("getpid") && built.has("exit")
        ? `
if (status <= 0)
    return "the process did not exit with its pid";
detail_str("exited with its pid ");
detail_num((uint64)status);`
        : `
detail_str("exited with status ");
detail_num((uint64)status);`
    }`,
  });
  out.push({
    name: "user_fault",
    body: `int killed;
int64 status = run_builtin("fault", CAP_ALL, ${USER_MODES.fault}, 0, &killed);
if (status == NOT_STARTED)
    return "uproc_spawn failed";
if (!killed || status != -1)
    return "a process that read kernel memory was not killed";
detail_str("killed; the kernel carries on");`,
  });
  if (built.has("exit")) {
    out.push({
      name: "user_preempt",
      body: `int killed;
uint64 start = ticks;
struct uproc *spinner = uproc_spawn("spin-long", CAP_ALL, ${USER_MODES.spin}, 20000000);
struct uproc *quick = uproc_spawn("spin-short", CAP_ALL, ${USER_MODES.spin}, 0);
if (spinner == NULL || quick == NULL)
    return "uproc_spawn failed";
/* The spinner never enters the kernel: quick can only run if the timer preempts it. */
if (uproc_wait(quick, &killed) != 0 || killed)
    return "the short process did not exit cleanly";
int overtaken = uproc_alive(spinner);
if (uproc_wait(spinner, &killed) != 0 || killed)
    return "the spinning process did not exit cleanly";
if (!overtaken)
    return "a process spinning in user mode was never preempted";
detail_str("preempted in user mode; ticks ");
detail_num(ticks - start);`,
    });
  }
  if (built.has("write") && built.has("exit")) {
    out.push({
      name: "syscall_eperm",
      body: `int killed;
int64 status = run_builtin("no-caps", 0, ${USER_MODES.syscall}, SYS_write, &killed);
if (status == NOT_STARTED)
    return "uproc_spawn failed";
if (killed || status != -1)
    return "write without the console capability did not return -EPERM";
detail_str("write without console: -EPERM");`,
    });
  }
  if (built.has("mmap") && built.has("munmap") && built.has("exit")) {
    out.push({
      name: "user_memory",
      body: `int killed;
int64 status = run_builtin("mmap", CAP_ALL, ${USER_MODES.memory}, 0, &killed);
if (status == NOT_STARTED)
    return "uproc_spawn failed";
if (killed || status != 85)
    return "mmap'd pages did not hold what was written";
if (run_builtin("munmap", CAP_ALL, ${USER_MODES.memory}, 1, &killed) == NOT_STARTED || !killed)
    return "a page was still mapped after munmap";
detail_str("mmap 8 KiB, write, munmap, fault after");`,
    });
  }
  if (built.has("write") && built.has("exit")) {
    out.push({
      name: "syscall_efault",
      body: `int killed;
int64 status = run_builtin("badptr", CAP_ALL, ${USER_MODES.badptr}, 0, &killed);
if (status == NOT_STARTED)
    return "uproc_spawn failed";
if (killed || status != -14)
    return "write from an unmapped user address did not return -EFAULT";
detail_str("unmapped buffer: -EFAULT");`,
    });
  }
  if (built.has("ipc_send") && built.has("ipc_recv") && built.has("exit")) {
    out.push({
      name: "user_ipc",
      body: `int killed_r, killed_s;
struct uproc *r = uproc_spawn("recv", CAP_ALL, ${USER_MODES.recv}, 3); /* waits on the empty channel first */
struct uproc *s = uproc_spawn("send", CAP_ALL, ${USER_MODES.send}, 3);
if (r == NULL || s == NULL)
    return "uproc_spawn failed";
int64 sent = uproc_wait(s, &killed_s), got = uproc_wait(r, &killed_r);
if (killed_s || killed_r || sent <= 0 || got != sent)
    return "a message between two processes was lost or changed";
struct uproc *n = uproc_spawn("no-ipc", CAP_ALL & ~CAP_IPC_BIT, ${USER_MODES.send}, 3);
if (n == NULL || uproc_wait(n, &killed_s) != -1)
    return "ipc_send without the ipc capability did not return -EPERM";
detail_str("bytes ");
detail_num((uint64)got);
detail_str(" over channel 3; without the capability -EPERM");`,
    });
  }
  if (built.has("exit")) {
    out.push({
      name: "syscall_tiers",
      helpers: `/* Syscall number nr from a process with every capability: its result. */
static int64 try_syscall(uint64 nr)
{
    int killed;
    int64 r = run_builtin("sys", CAP_ALL, ${USER_MODES.syscall}, nr, &killed);
    return killed ? -1001 : r;
}`,
      body: `static const struct { const char *name; uint64 nr; } absent[] = {
${absent.map((n) => `    { "${n}", ${syscallNames.indexOf(n)} },`).join("\n")}
    { "unknown", 9999 },
};
for (uint32 i = 0; i < sizeof absent / sizeof absent[0]; i++) {
    if (try_syscall(absent[i].nr) != -38)
        return "a syscall in no tier did not return -ENOSYS";
    if (i > 0)
        detail_str(" ");
    detail_str(absent[i].name);
}${
        built.has("getpid")
          ? `
if (try_syscall(SYS_getpid) <= 0)
    return "getpid, in a tier, did not answer";`
          : ""
      }
detail_str(": -ENOSYS");`,
    });
  }
  out.push(...elfTests(built));
  if (k.ipc.enable) {
    out.push({
      name: "ring_order",
      body: `struct ipc_ring *r = ring_create();
struct ipc_msg m = { 0 }, in;
if (r == NULL)
    return "ring_create failed";
for (uint32 round = 0; round < 3; round++) { /* three laps, so positions wrap */
    for (uint32 i = 0; i < EXO_RING_CAP; i++) {
        m.tag = (uint16)i;
        if (ring_try_push(r, &m) != 0)
            return "a push into a ring with room failed";
    }
    for (uint32 i = 0; i < EXO_RING_CAP; i++)
        if (ring_try_pop(r, &in) != 0 || in.tag != (uint16)i)
            return "messages came out of order";
}
if (ring_try_pop(r, &in) != -1)
    return "an empty ring gave a message";
ring_destroy(r);`,
    });
    out.push({
      name: "ring_overflow",
      body: `struct ipc_ring *r = ring_create();
struct ipc_msg m = { 0 }, in;
uint32 n = 0;
if (r == NULL)
    return "ring_create failed";
while (n <= EXO_RING_CAP && ring_try_push(r, &m) == 0)
    n++;
if (n != EXO_RING_CAP)
    return "a full ring did not refuse exactly at its capacity";
if (ring_try_pop(r, &in) != 0 || ring_try_push(r, &m) != 0 || ring_try_push(r, &m) != -1)
    return "one pop did not make room for exactly one push";
ring_destroy(r);
detail_str("capacity ");
detail_num(n);`,
    });
    out.push({
      name: "ring_batch",
      body: `static struct ipc_msg batch[EXO_RING_BATCH];
struct ipc_ring *r = ring_create();
struct ipc_msg in;
uint32 total = 0, n;
if (r == NULL)
    return "ring_create failed";
for (uint32 i = 0; i < EXO_RING_BATCH; i++)
    batch[i].tag = (uint16)i;
while ((n = ring_push_batch(r, batch, EXO_RING_BATCH)) > 0)
    total += n;
if (total != EXO_RING_CAP)
    return "batches did not fill the ring exactly";
for (uint32 i = 0; i < total; i++)
    if (ring_try_pop(r, &in) != 0 || in.tag != (uint16)(i % EXO_RING_BATCH))
        return "a batch came out of order";
ring_destroy(r);
detail_str("batch ");
detail_num(EXO_RING_BATCH);`,
    });
    out.push({
      name: "ring_descriptor",
      body: `static uint8 big[10000];
uint64 len, free_before = buddy_free_pages();
struct ipc_ring *r = ring_create();
struct ipc_msg m, in;
if (r == NULL)
    return "ring_create failed";
for (uint32 i = 0; i < sizeof big; i++)
    big[i] = (uint8)(i * 7);
if (ipc_msg_make(&m, 9, big, sizeof big) != 0 || m.kind != IPC_DESCRIPTOR)
    return "a 10000-byte message did not become a descriptor";
if (ring_try_push(r, &m) != 0 || ring_try_pop(r, &in) != 0)
    return "the descriptor did not go through the ring";
const uint8 *data = ipc_msg_data(&in, &len);
if (len != sizeof big || memcmp(data, big, sizeof big) != 0)
    return "the shared pages did not carry the payload";
ipc_msg_release(&in);
if (ipc_msg_make(&m, 1, "exo", 3) != 0 || m.kind != IPC_INLINE)
    return "a 3-byte message did not go inline";
ring_destroy(r);
if (buddy_free_pages() != free_before)
    return "the shared pages were not freed";
detail_str("10000 B in shared pages, 3 B inline");`,
    });
    out.push({
      name: "ring_blocking",
      helpers: `static struct ipc_ring *block_ring;
static volatile uint32 consumed;
static void consumer(void *arg)
{
    struct ipc_msg in;
    uint32 n = (uint32)(uint64)arg;
    for (uint32 i = 0; i < n; i++) {
        ring_pop(block_ring, &in);
        if (in.tag != (uint16)i)
            return;
        consumed++;
    }
}`,
      body: `uint32 n = EXO_RING_CAP * 2 + 5;
struct ipc_msg m = { 0 };
struct thread *t;
consumed = 0;
if ((block_ring = ring_create()) == NULL || (t = thread_create("consumer", consumer, (void *)(uint64)n)) == NULL)
    return "setup failed";
thread_run(t);
for (uint32 i = 0; i < n; i++) { /* twice the capacity: the producer must wait for room */
    m.tag = (uint16)i;
    ring_push(block_ring, &m);
}
thread_join(t);
ring_destroy(block_ring);
if (consumed != n)
    return "the consumer lost or reordered messages";
detail_str("messages ");
detail_num(n);`,
    });
  }
  return out;
}

/** W^X and NX: the rights of the kernel's pages, faults on writing text or running data, a user ELF's pages. */
function wxTests(): Test[] {
  return [
    {
      name: "wx_kernel",
      helpers: `extern char __text_start[], __text_end[];
/* A ret that must never run, in .data even if the compiler finds it never written. */
static uint8 wx_code[16] __attribute__((section(".data"))) = { 0xc3 };

/* The rights of address va in address space pml4 (physical), every level of
   the walk combined as the CPU does: PTE_P, PTE_W, PTE_U if all levels have
   them, PTE_NX if any has it. 0 when va is not mapped. */
static uint64 page_rights(uint64 pml4, uint64 va)
{
    const uint64 *table = P2V(pml4);
    uint64 rights = PTE_P | PTE_W | PTE_U, nx = 0;
    for (int shift = 39; shift >= 12; shift -= 9) {
        uint64 e = table[(va >> shift) & 511];
        if ((e & PTE_P) == 0)
            return 0;
        rights &= e;
        nx |= e & PTE_NX;
        if (shift == 12 || (e & PTE_PS) != 0) /* a 4 KiB page, or a large one */
            return rights | nx;
        table = P2V(PTE_ADDR(e));
    }
    return 0;
}

/* Add up the 4 KiB pages under table (level 3 is a PML4, 0 a page table)
   whose combined rights hold every bit of need: n[0] executable, n[1]
   writable, n[2] both. rights: what the levels above allow (PTE_NX: forbid). */
static void count_pages(const uint64 *table, int level, uint64 rights, uint64 need, uint64 n[3])
{
    for (int i = 0; i < 512; i++) {
        uint64 e = table[i];
        if ((e & PTE_P) == 0)
            continue;
        uint64 r = (rights & e & (PTE_W | PTE_U)) | ((rights | e) & PTE_NX);
        if (level > 0 && (e & PTE_PS) == 0) {
            count_pages(P2V(PTE_ADDR(e)), level - 1, r, need, n);
            continue;
        }
        uint64 pages = 1UL << (9 * level), x = (r & PTE_NX) == 0, w = (r & PTE_W) != 0;
        if ((r & need) == need) {
            n[0] += x ? pages : 0;
            n[1] += w ? pages : 0;
            n[2] += x && w ? pages : 0;
        }
    }
}`,
      body: `uint64 cr3 = kernel_cr3(), n[3] = { 0, 0, 0 };
uint64 text_pages = (uint64)(__text_end - __text_start) / 4096;
if ((rdmsr(MSR_EFER) & EFER_NXE) == 0 || pte_nx != PTE_NX)
    return "EFER.NXE is clear: no page can be no-execute";
if ((read_cr0() & CR0_WP) == 0)
    return "CR0.WP is clear: the kernel can write its read-only pages";
uint8 *heap = page_alloc(0);
if (heap == NULL)
    return "page_alloc failed";
const struct { const char *what; uint64 va, want; } pages[] = {
    { "text", (uint64)selftest_run, PTE_P },
    { "rodata", (uint64)build_system_name, PTE_P | PTE_NX },
    { "data", (uint64)wx_code, PTE_P | PTE_W | PTE_NX },
    { "bss", (uint64)detail, PTE_P | PTE_W | PTE_NX },
    { "stack", (uint64)&cr3, PTE_P | PTE_W | PTE_NX },
    { "heap", (uint64)heap, PTE_P | PTE_W | PTE_NX },
    { "direct map", (uint64)P2V(0x20000000UL), PTE_P | PTE_W | PTE_NX },
    { "low half", 0x20000000UL, 0 }, /* boot.S's map at 0 is gone */
};
page_free(heap, 0); /* its address stays in the direct map */
for (uint32 i = 0; i < sizeof pages / sizeof pages[0]; i++) {
    uint64 got = page_rights(cr3, pages[i].va);
    if (got != pages[i].want) {
        detail_str(pages[i].what);
        detail_str(" page has rights ");
        detail_hex(got);
        return detail;
    }
}
count_pages(P2V(cr3), 3, PTE_W | PTE_U, 0, n);
if (n[2] != 0)
    return "a kernel page is writable and executable";
if (n[0] != text_pages)
    return "a kernel page other than text is executable";
detail_str("EFER.NXE, CR0.WP; text RX, rodata R NX, data bss stack heap RW NX; pages executable ");
detail_num(n[0]);
detail_str(", writable ");
detail_num(n[1]);
detail_str(", both 0");`,
    },
    {
      name: "wx_faults",
      helpers: `extern void test_write_resume(void);

/* Whether the #PF armed for came at address cr2_want (with RIP rip_want,
   unless 0). Disarms it: a fault that did not come must not catch a later one. */
static int faulted(uint64 cr2_want, uint64 rip_want)
{
    uint64 cr2, rip;
    int caught = trap_caught(&cr2, &rip);
    trap_expect(14, NULL);
    return caught && cr2 == cr2_want && (rip_want == 0 || rip == rip_want);
}`,
      body: `/* Writes store the byte already there, so one wrongly allowed changes nothing. */
const uint8 *text = (const uint8 *)(uint64)test_ud2;
trap_expect(14, test_write_resume);
test_write((uint64)text, *text);
if (!faulted((uint64)text, 0))
    return "a write to kernel text did not fault";
trap_expect(14, test_write_resume);
test_write((uint64)build_system_name, (uint8)build_system_name[0]);
if (!faulted((uint64)build_system_name, 0))
    return "a write to kernel rodata did not fault";
uint8 *heap = page_alloc(0);
if (heap == NULL)
    return "page_alloc failed";
memset(heap, 0xc3, 4096); /* ret: should the call below run it, it just returns */
/* A call into data faults on the fetch, with RIP there and the return address
   pushed; test_ud2_resume is a bare ret, which comes back here. */
const uint8 *targets[2] = { wx_code, heap };
int ran = -1;
for (int i = 0; i < 2 && ran < 0; i++) {
    trap_expect(14, test_ud2_resume);
    ((void (*)(void))(uint64)targets[i])();
    if (!faulted((uint64)targets[i], (uint64)targets[i]))
        ran = i;
}
page_free(heap, 0);
if (ran >= 0)
    return ran == 0 ? "a call into kernel data did not fault" : "a call into a heap page did not fault";
detail_str("#PF writing text and rodata, calling into data and heap");`,
    },
    {
      name: "wx_user",
      body: `const uint8 *data;
uint64 len, n[3] = { 0, 0, 0 };
struct elf_info info;
uint32 order = 0;
if (!initrd_lookup("bin/usertest", &data, &len))
    return "bin/usertest is not in the initrd";
uint64 pml4 = uvm_create();
if (pml4 == 0)
    return "uvm_create failed";
int r = elf_load(pml4, data, len, &info);
if (r == 0)
    count_pages(P2V(pml4), 3, PTE_W | PTE_U, PTE_U, n);
uint64 at_entry = r == 0 ? page_rights(pml4, info.entry) : 0;
uvm_free(pml4);
if (r != 0)
    return "bin/usertest does not load";
if (at_entry != (PTE_P | PTE_U))
    return "the entry page of bin/usertest is not read-execute";
if (n[2] != 0 || n[0] == 0 || n[1] == 0)
    return "bin/usertest's pages are not code RX and data RW NX";
/* The same file with its first PT_LOAD writable and executable is refused. */
while ((4096UL << order) < len)
    order++;
uint8 *bad = page_alloc(order);
if (bad == NULL)
    return "page_alloc failed";
memcpy(bad, data, len);
uint64 phoff, wx_pml4 = uvm_create();
uint32 rwx = 7, type;
memcpy(&phoff, bad + 32, 8);
for (uint8 *ph = bad + phoff; ph + 56 <= bad + len; ph += 56) {
    memcpy(&type, ph, 4);
    if (type == 1) { /* PT_LOAD: p_flags follows p_type */
        memcpy(ph + 4, &rwx, 4);
        break;
    }
}
r = wx_pml4 == 0 ? 0 : elf_load(wx_pml4, bad, len, &info);
if (wx_pml4 != 0)
    uvm_free(wx_pml4);
page_free(bad, order);
if (r != -ENOEXEC)
    return "a writable and executable segment was loaded";
detail_str("bin/usertest: code pages ");
detail_num(n[0]);
detail_str(" RX, data pages ");
detail_num(n[1]);
detail_str(" RW NX; a W+X segment: -ENOEXEC");`,
    },
  ];
}

/** ELF programs from the initrd: usertest runs, bad executables are refused, usertest's file and process checks pass. */
function elfTests(built: ReadonlySet<string>): Test[] {
  const has = (...names: string[]): boolean => names.every((n) => built.has(n));
  const usertest = (mode: number, what: string): string => `int killed;
int64 status = run_file("bin/usertest", CAP_ALL, ${mode}, &killed);
if (status == NOT_STARTED)
    return "bin/usertest did not start from the initrd";
if (killed)
    return "usertest was killed";
if (status != 0) {
    detail_str("bin/usertest.c line ");
    detail_num((uint64)status);
    return detail;
}
detail_str("${what}");`;
  const out: Test[] = [];
  if (has("exit")) {
    out.push({
      name: "elf_exec",
      helpers: `/* elf_load's answer for the image data[0..len) into a fresh address space. */
static int try_load(const uint8 *data, uint64 len)
{
    struct elf_info info;
    uint64 pml4 = uvm_create();
    int r = elf_load(pml4, data, len, &info);
    uvm_free(pml4);
    return r;
}`,
      body: `int killed;
const uint8 *data;
uint64 len, phoff;
uint32 order = 0;
int64 status = run_file("bin/usertest", CAP_ALL, ${USERTEST_MODES.exit7}, &killed);
if (status == NOT_STARTED)
    return "bin/usertest did not start from the initrd";
if (killed || status != 7)
    return "bin/usertest did not exit with status 7";
if (!initrd_lookup("bin/usertest", &data, &len) || try_load(data, len) != 0)
    return "bin/usertest does not load";
while ((4096UL << order) < len)
    order++;
uint8 *bad = page_alloc(order);
if (bad == NULL)
    return "page_alloc failed";
memcpy(bad, data, len);
bad[18] ^= 1; /* e_machine: not x86-64 */
int refused = try_load(bad, len) == -ENOEXEC && try_load(data, 40) == -ENOEXEC;
bad[18] ^= 1;
memcpy(&phoff, bad + 32, 8);
for (uint8 *ph = bad + phoff; ph < bad + phoff + 56 * 8 && ph + 56 <= bad + len; ph += 56) {
    uint32 type;
    memcpy(&type, ph, 4);
    if (type != 1) /* PT_LOAD */
        continue;
    uint64 low = 0x1000, huge = ~0UL, vaddr;
    memcpy(&vaddr, ph + 16, 8);
    memcpy(ph + 16, &low, 8); /* below the user window */
    refused += try_load(bad, len) == -ENOEXEC;
    memcpy(ph + 16, &vaddr, 8);
    memcpy(ph + 40, &huge, 8); /* p_memsz past the end of the address space */
    refused += try_load(bad, len) == -ENOEXEC;
    break;
}
page_free(bad, order);
if (refused != 3)
    return "a bad executable was loaded";
detail_str("bin/usertest ");
detail_num(len);
detail_str(" B exits 7; bad machine, truncated, out of the window, overflowing: -ENOEXEC");`,
    });
  }
  if (has("open", "close", "read", "fstat", "lseek", "exit")) {
    out.push({ name: "user_files", body: usertest(USERTEST_MODES.files, "open, fstat, lseek, read, close on the initrd and their errors") });
  }
  if (has("spawn", "wait", "kill", "yield", "getpid", "exit")) {
    const ipc = has("ipc_recv") ? USERTEST_WITH_IPC : 0;
    const what = `spawn, wait, kill in user mode${ipc ? " and blocked in ipc_recv" : ""}, and their errors`;
    out.push({ name: "user_spawn", body: usertest(USERTEST_MODES.procs | ipc, what) });
  }
  return out;
}

function runHelpers(w: Writer): void {
  w.comment("Run a user process to its end: its exit status (*killed: a fault or kill ended it), or NOT_STARTED.");
  w.line("#define NOT_STARTED (-1000)");
  w.fn("static int64 run_builtin(const char *name, uint64 caps, uint64 mode, uint64 arg, int *killed)", () => {
    w.line("struct uproc *p = uproc_spawn(name, caps, mode, arg);", "return p == NULL ? NOT_STARTED : uproc_wait(p, killed);");
  });
  w.fn("static int64 __attribute__((unused)) run_file(const char *path, uint64 caps, uint64 arg, int *killed)", () => {
    w.line("struct uproc *p;", "return uproc_spawn_file(path, caps, arg, &p) != 0 ? NOT_STARTED : uproc_wait(p, killed);");
  });
}

function detailHelpers(w: Writer): void {
  w.comment("The detail printed after ok/FAIL, built up by the test.");
  w.line("static char detail[256];", "static uint32 detail_len;");
  w.blank();
  w.fn("static void detail_str(const char *s)", () => {
    w.line("while (*s != 0 && detail_len < sizeof detail - 1)").indent(() => w.line("detail[detail_len++] = *s++;"));
    w.line("detail[detail_len] = 0;");
  });
  w.blank();
  w.fn("static void detail_base(uint64 v, uint32 base)", () => {
    w.line(`char buf[24];
int i = 0;
do {
    buf[i++] = "0123456789abcdef"[v % base];
    v /= base;
} while (v != 0);
while (i > 0 && detail_len < sizeof detail - 1)
    detail[detail_len++] = buf[--i];
detail[detail_len] = 0;`);
  });
  w.blank();
  w.line("static void detail_num(uint64 v) { detail_base(v, 10); }");
  w.line('static void __attribute__((unused)) detail_hex(uint64 v) { detail_str("0x"); detail_base(v, 16); }');
}

export const selftest: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    if (k.testMode !== "selftest") return undefined;
    const all = tests(k);
    const options = [
      "kernel.testMode",
      "kernel.scheduler.policy",
      ...(k.scheduler.policy === "predictive" ? ["kernel.scheduler.historyLength", "kernel.scheduler.hotThresholdUs", "kernel.scheduler.normalThresholdUs"] : []),
      "kernel.allocator.threadCacheObjects",
      "kernel.contextSwitch.lazyFpu",
      ...(k.ipc.enable ? ["kernel.ipc.enable", "kernel.ipc.batchSize"] : []),
      "kernel.syscalls.hot",
      "kernel.syscalls.warm",
      "kernel.syscalls.cold",
    ];
    const summary = `The in-kernel self-tests: ${all.map((t) => t.name).join(", ")}.`;
    return emit({ source, path: "core/selftest.c", summary, options }, (w) => {
      w.line('#include "types.h"', '#include "cpu.h"', '#include "memlayout.h"', '#include "errno.h"', '#include "sysnum.h"', '#include "thread.h"');
      if (k.ipc.enable) w.line('#include "ring.h"');
      w.line('#include "defs.h"');
      w.blank();
      w.comment("What the tests need from the config, through functions so that this file includes no tunables header.");
      const defs: string[] = [];
      if (k.allocator.threadCacheObjects > 0) defs.push(`#define EXO_TC_OBJECTS ${k.allocator.threadCacheObjects} /* kernel.allocator.threadCacheObjects */`);
      if (k.scheduler.policy === "predictive") {
        defs.push(`#define EXO_SCHED_HOT_US ${k.scheduler.hotThresholdUs} /* kernel.scheduler.hotThresholdUs */`);
        defs.push(`#define EXO_SCHED_HISTORY_N ${k.scheduler.historyLength} /* kernel.scheduler.historyLength */`);
        defs.push(`#define EXO_SCHED_COLD_X ${Math.ceil(k.scheduler.normalThresholdUs / 50) + 1} /* 50 us times this is past kernel.scheduler.normalThresholdUs */`);
      }
      if (k.ipc.enable) {
        defs.push("#define EXO_RING_CAP ring_capacity()");
        defs.push(`#define EXO_RING_BATCH ${k.ipc.batchSize} /* kernel.ipc.batchSize */`);
      }
      w.line(...defs);
      w.line(`#define CAP_ALL ((1UL << ${capabilities.length}) - 1) /* every capability (schemas/sandbox.ts) */`);
      if (k.ipc.enable) w.line(`#define CAP_IPC_BIT (1UL << ${capabilities.indexOf("ipc")}) /* the ipc capability */`);
      w.line("extern void test_ud2_resume(void), test_read_resume(void);");
      w.blank();
      detailHelpers(w);
      w.blank();
      runHelpers(w);
      for (const t of all) {
        w.blank();
        if (t.helpers) w.line(t.helpers).blank();
        w.fn(`static const char *test_${t.name}(void)`, () => w.line(t.body, "return NULL;"));
      }
      w.blank();
      w.line("static const struct { const char *name; const char *(*fn)(void); } tests[] = {");
      w.indent(() => w.line(...all.map((t) => `{ "${t.name}", test_${t.name} },`)));
      w.line("};");
      w.blank();
      w.comment("Run every test in table order, print one EXO-TEST line each, and stop with 0 if all passed, 1 if not.");
      w.fn("void selftest_run(void)", () => {
        w.line(`int failed = 0;
for (uint32 i = 0; i < sizeof tests / sizeof tests[0]; i++) {
    detail_len = 0;
    detail[0] = 0;
    const char *why = tests[i].fn();
    if (why == NULL) {
        kprintf("EXO-TEST %s ok%s%s\\n", tests[i].name, detail_len > 0 ? " " : "", detail);
    } else {
        kprintf("EXO-TEST %s FAIL %s\\n", tests[i].name, why);
        failed = 1;
    }
}
kprintf("exo: selftest: %s\\n", failed ? "FAILED" : "all passed");
arch_exit(failed);`);
      });
    });
  },
};
