/* procbench: what a process costs. Times, with rdtsc, N rounds of fork +
 * execve("/exo/bin/true") + wait4, then M one-byte round trips parent ->
 * child -> parent over two pipes, and prints the median of each:
 *
 *   procbench: fork_exec_wait 123456
 *   procbench: pipe_round_trip 7890
 *
 * Under QEMU -icount the TSC follows the instruction count, so the figures
 * are instructions, not cycles. argv[1] (or $PROCBENCH_TRUE) names another
 * program to execute; the same static binary runs under Exo and under Linux. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXEC_ROUNDS 40
#define PIPE_ROUNDS 400

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static void fail(const char *what)
{
    printf("procbench: FAIL %s (errno %d)\n", what, errno);
    exit(1);
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
    uint64_t t1 = rdtsc();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        printf("procbench: FAIL %s exited with status 0x%x\n", path, status);
        exit(1);
    }
    return t1 - t0;
}

/* A child echoes each byte from `down` back on `up` until EOF. */
static void pipe_round_trips(uint64_t *out, int n)
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
    for (int i = 0; i < n; i++) {
        char c = (char)i, back = 0;
        uint64_t t0 = rdtsc();
        if (write(down[1], &c, 1) != 1) fail("write to the echo");
        if (read(up[0], &back, 1) != 1) fail("read from the echo");
        out[i] = rdtsc() - t0;
        if (back != c) fail("the echo changed the byte");
    }
    close(down[1]);
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) fail("the echo's exit");
    close(up[0]);
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : getenv("PROCBENCH_TRUE") ? getenv("PROCBENCH_TRUE") : "/exo/bin/true";
    static uint64_t samples[PIPE_ROUNDS > EXEC_ROUNDS ? PIPE_ROUNDS : EXEC_ROUNDS];
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("procbench: clock rdtsc, %d rounds of fork+execve(%s)+wait4, %d pipe round trips\n", EXEC_ROUNDS, path, PIPE_ROUNDS);
    fflush(stdout); /* nothing buffered for a child to print twice */

    fork_exec_wait(path); /* warm: the binary's pages in the cache */
    for (int i = 0; i < EXEC_ROUNDS; i++) samples[i] = fork_exec_wait(path);
    printf("procbench: fork_exec_wait %llu\n", (unsigned long long)median("fork_exec_wait", samples, EXEC_ROUNDS));
    fflush(stdout);

    pipe_round_trips(samples, PIPE_ROUNDS);
    printf("procbench: pipe_round_trip %llu\n", (unsigned long long)median("pipe_round_trip", samples, PIPE_ROUNDS));
    printf("procbench: done\n");
    return 0;
}
