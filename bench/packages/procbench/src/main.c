/* procbench: what a kernel's primitives cost a process. Times each with
 * rdtsc, many rounds, and prints the median of each, less the cost of the
 * two rdtsc themselves (measured first, the same way on every kernel):
 *
 *   procbench: rdtsc_overhead 20
 *   procbench: getpid 150          raw `syscall` instruction, SYS_getpid (39)
 *   procbench: null_syscall 140    raw `syscall`, number 1000: in no kernel's table, -ENOSYS
 *   procbench: mmap_page 4000      mmap one anonymous page, write to it, munmap
 *   procbench: sched_yield_alone 300   sched_yield with nobody else to run
 *   procbench: thread_switch 900   half of a sched_yield round trip between two processes
 *   procbench: pipe_round_trip 7890    1 byte parent -> child -> parent over two pipes
 *   procbench: fork_exec_wait 123456   fork + execve(/exo/bin/true) + wait4
 *
 * A primitive the kernel refuses prints `procbench: NAME unavailable ...`
 * and the rest still run. Under QEMU -icount the TSC follows the
 * instruction count, so the figures are instructions, not cycles. argv[1]
 * (or $PROCBENCH_TRUE) names another program to execute; the same static
 * binary runs under Exo and under Linux. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define SYSCALL_ROUNDS 1000
#define MMAP_ROUNDS 400
#define YIELD_ROUNDS 400
#define WARM_YIELDS 20000
#define WARM_CHUNK 100
#define PIPE_ROUNDS 400
#define EXEC_ROUNDS 40
#define MAX_ROUNDS 1000

#define NR_SCHED_YIELD 24
#define NR_GETPID 39
/* Above Linux's table (about 460 entries) and Exo's: the cheapest complete round trip, -ENOSYS. */
#define NR_NONE 1000

static uint64_t samples[MAX_ROUNDS];
/* The median cost of two back-to-back rdtsc: subtracted from every sample. */
static uint64_t overhead;

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* The `syscall` instruction with no argument, as the kernel sees it from any libc. */
static inline long raw_syscall0(long nr)
{
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr) : "rcx", "r11", "memory");
    return ret;
}

static void fail(const char *what)
{
    printf("procbench: FAIL %s (errno %d)\n", what, errno);
    exit(1);
}

static uint64_t net(uint64_t t0, uint64_t t1)
{
    uint64_t d = t1 - t0;
    return d > overhead ? d - overhead : 0;
}

static int by_value(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The median of v (sorted in place), and on a line of its own the range, which tells a steady cost from one that waits for a timer tick now and then. */
static uint64_t median(const char *what, uint64_t *v, int n)
{
    qsort(v, n, sizeof *v, by_value);
    printf("procbench: %s range %llu..%llu\n", what, (unsigned long long)v[0], (unsigned long long)v[n - 1]);
    return v[n / 2];
}

static void report(const char *what, uint64_t *v, int n)
{
    uint64_t m = median(what, v, n);
    printf("procbench: %s %llu\n", what, (unsigned long long)m);
    fflush(stdout); /* nothing buffered for a child to print twice */
}

static void measure_overhead(void)
{
    overhead = 0;
    for (int i = 0; i < SYSCALL_ROUNDS; i++) {
        uint64_t t0 = rdtsc();
        samples[i] = rdtsc() - t0;
    }
    report("rdtsc_overhead", samples, SYSCALL_ROUNDS);
    overhead = samples[SYSCALL_ROUNDS / 2];
}

/* One raw syscall `nr`, n times; `expect` is its result. */
static void bench_syscall(const char *what, long nr, long expect, int n)
{
    long r = raw_syscall0(nr); /* warm; Exo prints its first -ENOSYS of each number */
    if (r != expect) {
        printf("procbench: %s unavailable (syscall %ld returned %ld, expected %ld)\n", what, nr, r, expect);
        return;
    }
    for (int i = 0; i < n; i++) {
        uint64_t t0 = rdtsc();
        raw_syscall0(nr);
        samples[i] = net(t0, rdtsc());
    }
    report(what, samples, n);
}

/* mmap of one anonymous page, a write to it (the page allocated on the fault), munmap. */
static void bench_mmap_page(void)
{
    for (int i = -1; i < MMAP_ROUNDS; i++) {
        uint64_t t0 = rdtsc();
        volatile char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            printf("procbench: mmap_page unavailable (mmap errno %d)\n", errno);
            return;
        }
        p[0] = (char)i;
        if (munmap((void *)p, 4096) != 0) {
            printf("procbench: mmap_page unavailable (munmap errno %d)\n", errno);
            return;
        }
        uint64_t t = net(t0, rdtsc());
        if (i >= 0)
            samples[i] = t;
    }
    report("mmap_page", samples, MMAP_ROUNDS);
}

/* The yielding child's loop count, and the pipe it reports it on when the
 * parent sends SIGUSR1: how the parent knows the two took turns (there is
 * no memory to share: Exo maps MAP_PRIVATE only). */
static volatile uint64_t child_yields;
static int count_fd = -1;

static void report_count(int sig)
{
    uint64_t n = child_yields;
    (void)sig;
    if (write(count_fd, &n, sizeof n) != sizeof n) _exit(3);
}

/* The child's yields so far: SIGUSR1, then its answer on the pipe. */
static uint64_t yields_of(pid_t pid, int fd)
{
    uint64_t n;
    if (kill(pid, SIGUSR1) != 0) fail("kill(SIGUSR1) of the yielding child");
    if (read(fd, &n, sizeof n) != sizeof n) fail("read of the yielding child's count");
    return n;
}

/* sched_yield alone, then with a second process yielding in a loop: the
 * parent's yield then returns only after the child's turn, so each sample
 * holds two yields and two switches; thread_switch is half of it. The
 * child's own count says whether they took turns. Exo's clone copies the
 * address space (no CLONE_VM threads), so the partner is a process on both
 * kernels. */
static void bench_switch(void)
{
    uint64_t alone;
    raw_syscall0(NR_SCHED_YIELD);
    for (int i = 0; i < YIELD_ROUNDS; i++) {
        uint64_t t0 = rdtsc();
        raw_syscall0(NR_SCHED_YIELD);
        samples[i] = net(t0, rdtsc());
    }
    alone = median("sched_yield_alone", samples, YIELD_ROUNDS);
    printf("procbench: sched_yield_alone %llu\n", (unsigned long long)alone);
    fflush(stdout);

    int count[2];
    if (pipe(count) != 0) fail("pipe");
    pid_t pid = fork();
    if (pid < 0) {
        printf("procbench: thread_switch unavailable (fork errno %d)\n", errno);
        return;
    }
    if (pid == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = report_count;
        count_fd = count[1];
        if (sigaction(SIGUSR1, &sa, NULL) != 0 || write(count_fd, &child_yields, sizeof child_yields) != sizeof child_yields) _exit(2);
        for (;;) { /* until the parent's SIGKILL */
            child_yields++;
            raw_syscall0(NR_SCHED_YIELD);
        }
    }
    uint64_t c0, c1;
    if (read(count[0], &c0, sizeof c0) != sizeof c0) fail("read from the yielding child"); /* it runs, its handler in place */
    /* Warm until the two take turns: a chunk of yields each matched by one of
     * the child's. Linux's CFS starts a child a slice behind its parent and
     * lets a yield keep the CPU until their run times are close (some 2000
     * yields here); Exo takes turns from the first. */
    int warm = 0;
    for (; warm < WARM_YIELDS; warm += WARM_CHUNK) {
        c0 = yields_of(pid, count[0]);
        for (int i = 0; i < WARM_CHUNK; i++)
            raw_syscall0(NR_SCHED_YIELD);
        c1 = yields_of(pid, count[0]);
        if (c1 - c0 >= WARM_CHUNK - WARM_CHUNK / 10)
            break;
    }
    c0 = yields_of(pid, count[0]);
    for (int i = 0; i < YIELD_ROUNDS; i++) {
        uint64_t t0 = rdtsc();
        raw_syscall0(NR_SCHED_YIELD);
        samples[i] = net(t0, rdtsc());
    }
    c1 = yields_of(pid, count[0]);
    int status;
    if (kill(pid, SIGKILL) != 0 || waitpid(pid, &status, 0) != pid)
        fail("the yielding child's end");
    close(count[0]);
    close(count[1]);
    uint64_t round = median("thread_switch_round", samples, YIELD_ROUNDS);
    printf("procbench: thread_switch turns: warmed in %d yields; the child yielded %llu times during the parent's %d\n", warm, (unsigned long long)(c1 - c0), YIELD_ROUNDS);
    /* Without a turn in between, a yield is no switch: the median is one only
     * when the child ran in more than half of the parent's yields (CFS lets
     * a yield keep the CPU now and then). Say so rather than report it. */
    if (c1 - c0 <= YIELD_ROUNDS / 2) {
        printf("procbench: thread_switch unavailable (the child yielded %llu times during the parent's %d yields: they did not take turns)\n", (unsigned long long)(c1 - c0), YIELD_ROUNDS);
        return;
    }
    printf("procbench: thread_switch %llu\n", (unsigned long long)(round / 2));
    fflush(stdout);
}

/* A child echoes each byte from `down` back on `up` until EOF. */
static void bench_pipe(void)
{
    int down[2], up[2];
    if (pipe(down) != 0 || pipe(up) != 0) fail("pipe");
    pid_t pid = fork();
    if (pid < 0) fail("fork for the pipe echo");
    if (pid == 0) {
        close(down[1]);
        close(up[0]);
        char c;
        while (read(down[0], &c, 1) == 1)
            if (write(up[1], &c, 1) != 1) _exit(2);
        _exit(0);
    }
    close(down[0]);
    close(up[1]);
    for (int i = -1; i < PIPE_ROUNDS; i++) {
        char c = (char)i, back = 0;
        uint64_t t0 = rdtsc();
        if (write(down[1], &c, 1) != 1) fail("write to the echo");
        if (read(up[0], &back, 1) != 1) fail("read from the echo");
        uint64_t t = net(t0, rdtsc());
        if (i >= 0)
            samples[i] = t;
        if (back != c) fail("the echo changed the byte");
    }
    close(down[1]);
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) fail("the echo's exit");
    close(up[0]);
    report("pipe_round_trip", samples, PIPE_ROUNDS);
}

/* One fork + execve + wait4; the child's status must be a clean exit 0. */
static uint64_t fork_exec_wait(const char *path)
{
    char *argv[] = { "true", NULL };
    char *envp[] = { "PATH=/exo/bin:/bin", NULL };
    uint64_t t0 = rdtsc();
    pid_t pid = fork();
    if (pid < 0) fail("fork");
    if (pid == 0) {
        execve(path, argv, envp);
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid) fail("wait4");
    uint64_t t = net(t0, rdtsc());
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        printf("procbench: FAIL %s exited with status 0x%x\n", path, status);
        exit(1);
    }
    return t;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : getenv("PROCBENCH_TRUE") ? getenv("PROCBENCH_TRUE") : "/exo/bin/true";
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("procbench: clock rdtsc less its own cost; rounds: %d syscalls, %d mmap, %d yields, %d pipe round trips, %d fork+execve(%s)+wait4\n", SYSCALL_ROUNDS, MMAP_ROUNDS, YIELD_ROUNDS, PIPE_ROUNDS, EXEC_ROUNDS, path);
    fflush(stdout);

    measure_overhead();
    bench_syscall("getpid", NR_GETPID, getpid(), SYSCALL_ROUNDS);
    bench_syscall("null_syscall", NR_NONE, -ENOSYS, SYSCALL_ROUNDS);
    bench_mmap_page();
    bench_switch();
    bench_pipe();

    fork_exec_wait(path); /* warm: the binary's pages in the cache */
    for (int i = 0; i < EXEC_ROUNDS; i++) samples[i] = fork_exec_wait(path);
    report("fork_exec_wait", samples, EXEC_ROUNDS);
    printf("procbench: done\n");
    return 0;
}
