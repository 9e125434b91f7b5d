/* init: start every service of /etc/exo/services under its sandbox policy,
 * wait for the tasks, stop the daemons, and report every service that failed.
 *
 * A line is `name policy daemon|task restart path`. A task is done when it
 * exits: status 0 is success. A daemon runs until init stops it: one that
 * exits first has failed, whatever its status. restart says what init does
 * when a service ends on its own (systemd's Restart=, with a start limit):
 *   no          report the end as it is;
 *   on-failure  start it again after a failure (a task's non-zero status,
 *               any early exit of a daemon);
 *   always      start it again after any end (a task runs again even after
 *               status 0; for a daemon every early end is a failure anyway).
 * At most MAX_RESTARTS restarts per service, so a crash loop ends; the last
 * run decides whether the service failed.
 *
 * The kernel's wait blocks on one child, so init learns that a daemon ended
 * only when it stops it (kill, then wait): a daemon that ended before is
 * restarted then, given time to start, and checked again.
 *
 * Each failed service gets one line `init: <name> failed: ...`, and the last
 * line is `init: N services, M failed`; init exits with M. exo run reads these
 * lines (generator/run/services.ts) for its exit status.
 */

#include "exo.h"

#define MAX_SERVICES 16
#define MAX_RESTARTS 3
#define SERVICE_PATH_MAX 127 /* the longest path the kernel's spawn takes */
#define TEXT_OF(x) #x
#define NUMBER_TEXT(x) TEXT_OF(x)
#define SETTLE_YIELDS 8 /* how long a service started is given before init stops anything */

enum restart { RESTART_NO, RESTART_ON_FAILURE, RESTART_ALWAYS };

struct service {
    char name[EXO_NAME_MAX + 1];
    char policy[EXO_POLICY_MAX + 1];
    char path[SERVICE_PATH_MAX + 1];
    int daemon;
    enum restart restart;
    int restarts; /* how many times init has started it again */
    int64 pid;    /* < 0: it could not be started (the error spawn answered) */
};

static struct service services[MAX_SERVICES];
static char text[4096];
static int refused; /* lines not started: malformed, or past MAX_SERVICES */

/* Copy the next blank-separated word of the line at 'at' into out (room n);
   return where it ends. *fits becomes 0 when the word needs more room. */
static const char *word(const char *at, char *out, uint64 n, int *fits)
{
    uint64 i = 0;
    while (*at == ' ')
        at++;
    for (; *at != 0 && *at != ' ' && *at != '\n'; at++) {
        if (i + 1 < n)
            out[i++] = *at;
        else
            *fits = 0;
    }
    out[i] = 0;
    return at;
}

/* The restart policy a word names, or -1. */
static int restart_of(const char *w)
{
    if (strcmp(w, "no") == 0)
        return RESTART_NO;
    if (strcmp(w, "on-failure") == 0)
        return RESTART_ON_FAILURE;
    if (strcmp(w, "always") == 0)
        return RESTART_ALWAYS;
    return -1;
}

/* Check the words of one line into s; returns what is wrong with it, or NULL. */
static const char *check(struct service *s, const char *kind, const char *restart_word, int path_fits, const char *rest)
{
    if (kind[0] == 0 || restart_word[0] == 0 || s->path[0] == 0)
        return "expected `name policy daemon|task restart path`";
    if (strcmp(kind, "daemon") != 0 && strcmp(kind, "task") != 0)
        return "the kind is neither daemon nor task";
    if (restart_of(restart_word) < 0)
        return "the restart policy is none of no, on-failure, always";
    if (!path_fits)
        return "the path is longer than " NUMBER_TEXT(SERVICE_PATH_MAX) " characters";
    if (s->path[0] != '/')
        return "the path is not absolute";
    if (rest[0] != 0)
        return "it has words after the path";
    s->daemon = strcmp(kind, "daemon") == 0;
    s->restart = (enum restart)restart_of(restart_word);
    return NULL;
}

/* Read and parse the services file; returns how many services it names, or -1.
   Lines it refuses are reported and counted in 'refused'. */
static int load(void)
{
    struct stat st;
    int64 fd = open("/etc/exo/services", O_RDONLY);
    if (fd < 0) {
        printf("init: cannot open /etc/exo/services: error %ld\n", -fd);
        return -1;
    }
    if (fstat(fd, &st) < 0 || st.size >= sizeof text) {
        printf("init: /etc/exo/services is larger than %lu bytes\n", (uint64)sizeof text);
        close(fd);
        return -1;
    }
    int64 got = read(fd, text, st.size);
    close(fd);
    if (got != (int64)st.size) {
        printf("init: read %ld of the %lu bytes of /etc/exo/services\n", got, st.size);
        return -1;
    }
    text[got] = 0;
    int n = 0, line = 0;
    for (const char *at = text; *at != 0;) {
        char kind[8], restart_word[16], rest[2];
        struct service scratch, *s = n < MAX_SERVICES ? &services[n] : &scratch;
        int name_fits = 1, policy_fits = 1, other_fits = 1, path_fits = 1;
        line++;
        at = word(at, s->name, sizeof s->name, &name_fits);
        at = word(at, s->policy, sizeof s->policy, &policy_fits);
        at = word(at, kind, sizeof kind, &other_fits);
        at = word(at, restart_word, sizeof restart_word, &other_fits);
        at = word(at, s->path, sizeof s->path, &path_fits);
        at = word(at, rest, sizeof rest, &other_fits);
        while (*at != 0 && *at++ != '\n')
            ;
        if (s->name[0] == 0 || s->name[0] == '#')
            continue;
        if (!name_fits || !policy_fits) {
            printf("init: /etc/exo/services line %d: the %s is longer than %d characters; not started\n", line, name_fits ? "policy name" : "service name", name_fits ? EXO_POLICY_MAX : EXO_NAME_MAX);
            refused++;
            continue;
        }
        const char *wrong = check(s, kind, restart_word, path_fits, rest);
        if (wrong != NULL) {
            printf("init: /etc/exo/services line %d: %s; %s not started\n", line, wrong, s->name);
            refused++;
            continue;
        }
        if (n == MAX_SERVICES) {
            printf("init: /etc/exo/services line %d: more than %d services; %s not started\n", line, MAX_SERVICES, s->name);
            refused++;
            continue;
        }
        n++;
    }
    return n;
}

static void settle(void)
{
    for (int i = 0; i < SETTLE_YIELDS; i++)
        yield();
}

/* Start s (again); returns whether it runs. */
static int start(struct service *s)
{
    s->pid = spawn(s->path, s->policy, 0);
    if (s->pid < 0) {
        printf("init: cannot start %s (%s) under policy %s: error %ld\n", s->name, s->path, s->policy, -s->pid);
        return 0;
    }
    printf("init: started %s (pid %ld, policy %s)\n", s->name, s->pid, s->policy);
    return 1;
}

/* After s ended on its own (a failure or not): start it again if its policy
   and its budget say so. Returns whether it runs again. */
static int restart_if_allowed(struct service *s, int failure)
{
    if (s->restart == RESTART_NO || (s->restart == RESTART_ON_FAILURE && !failure))
        return 0;
    if (s->restarts == MAX_RESTARTS) {
        printf("init: %s: all %d restarts used\n", s->name, MAX_RESTARTS);
        return 0;
    }
    s->restarts++;
    printf("init: restarting %s (%d of %d, restart %s)\n", s->name, s->restarts, MAX_RESTARTS, s->restart == RESTART_ALWAYS ? "always" : "on-failure");
    return start(s);
}

/* The one line that names a failed service, which exo run reads: what went
   wrong (ending in a number) and how many restarts came before. */
static void report_failure(struct service *s, const char *what, int64 number)
{
    if (s->restarts == 0)
        printf("init: %s failed: %s %ld\n", s->name, what, number);
    else
        printf("init: %s failed: %s %ld after %d restart%s\n", s->name, what, number, s->restarts, s->restarts == 1 ? "" : "s");
}

/* Wait for a task to end, restarting it as its policy says; returns whether it succeeded. */
static int finish_task(struct service *s)
{
    for (;;) {
        int64 status;
        int64 err = wait(s->pid, &status);
        if (err < 0) {
            report_failure(s, "cannot wait for it: error", -err);
            return 0;
        }
        printf("init: %s exited with status %ld\n", s->name, status);
        if (restart_if_allowed(s, status != 0))
            continue;
        if (s->pid < 0) {
            report_failure(s, "cannot start it again: error", -s->pid);
            return 0;
        }
        if (status != 0)
            report_failure(s, "exited with status", status);
        return status == 0;
    }
}

/* Stop a daemon; returns whether it was still running (after restarts, if its
   policy allows them). It ended on its own when kill finds nothing left to
   stop, or when its status is not that of a killed process. */
static int stop_daemon(struct service *s)
{
    for (;;) {
        int64 status;
        int ended = kill(s->pid) < 0;
        int64 err = wait(s->pid, &status);
        if (err < 0) {
            report_failure(s, "cannot wait for it: error", -err);
            return 0;
        }
        if (!ended && status == STATUS_KILLED) {
            printf("init: %s stopped with status %ld\n", s->name, status);
            return 1;
        }
        printf("init: %s (daemon) exited early with status %ld\n", s->name, status);
        if (restart_if_allowed(s, 1)) {
            settle();
            continue;
        }
        if (s->pid < 0)
            report_failure(s, "cannot start it again: error", -s->pid);
        else
            report_failure(s, "daemon exited early with status", status);
        return 0;
    }
}

int main(void)
{
    int n = load();
    if (n < 0)
        return 1;
    int failed = refused, total = n + refused;
    printf("init: pid %ld, %d service%s in /etc/exo/services\n", getpid(), total, total == 1 ? "" : "s");
    for (int i = 0; i < n; i++) {
        if (!start(&services[i])) {
            report_failure(&services[i], "cannot start it: error", -services[i].pid);
            failed++;
        }
    }
    settle(); /* let every service start before any is stopped */
    for (int pass = 0; pass < 2; pass++) { /* tasks first, then the daemons they may have used */
        for (int i = 0; i < n; i++) {
            struct service *s = &services[i];
            if (s->pid < 0 || s->daemon != pass)
                continue;
            if (!(s->daemon ? stop_daemon(s) : finish_task(s)))
                failed++;
        }
    }
    printf("init: %d service%s, %d failed\n", total, total == 1 ? "" : "s", failed);
    return failed;
}
