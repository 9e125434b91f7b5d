/* init: start every service of /etc/exo/services under its sandbox policy,
 * wait for the tasks, stop the daemons.
 */

#include "exo.h"

#define MAX_SERVICES 16

struct service {
    char name[EXO_NAME_MAX + 1];
    char policy[EXO_NAME_MAX + 1];
    int daemon;
    int64 pid;
};

static struct service services[MAX_SERVICES];
static char text[2048];
static int refused; /* lines not started: a word too long, or past MAX_SERVICES */

/* Copy the next blank-separated word at 'at' into out (room n); return where it
   ends. *fits becomes 0 when the word needs more room: out is then no name. */
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
        char kind[8];
        struct service scratch, *s = n < MAX_SERVICES ? &services[n] : &scratch;
        int name_fits = 1, policy_fits = 1, kind_fits = 1;
        line++;
        at = word(at, s->name, sizeof s->name, &name_fits);
        at = word(at, s->policy, sizeof s->policy, &policy_fits);
        at = word(at, kind, sizeof kind, &kind_fits);
        while (*at != 0 && *at++ != '\n')
            ;
        if (s->name[0] == 0 || s->name[0] == '#')
            continue;
        if (!name_fits || !policy_fits) {
            printf("init: /etc/exo/services line %d: the %s is longer than %d characters; not started\n", line, name_fits ? "policy name" : "service name", EXO_NAME_MAX);
            refused++;
            continue;
        }
        if (n == MAX_SERVICES) {
            printf("init: /etc/exo/services line %d: more than %d services; %s not started\n", line, MAX_SERVICES, s->name);
            refused++;
            continue;
        }
        s->daemon = kind_fits && strcmp(kind, "daemon") == 0;
        n++;
    }
    return n;
}

int main(void)
{
    int n = load();
    if (n < 0)
        return 1;
    int failed = refused, total = n + refused;
    printf("init: pid %ld, %d service%s in /etc/exo/services\n", getpid(), total, total == 1 ? "" : "s");
    for (int i = 0; i < n; i++) {
        char path[EXO_NAME_MAX + 5] = "bin/";
        struct service *s = &services[i];
        memcpy(path + 4, s->name, strlen(s->name) + 1);
        s->pid = spawn(path, s->policy, 0);
        if (s->pid < 0) {
            printf("init: cannot start %s under policy %s: error %ld\n", path, s->policy, -s->pid);
            failed++;
        } else {
            printf("init: started %s (pid %ld, policy %s)\n", s->name, s->pid, s->policy);
        }
    }
    for (int i = 0; i < 8; i++) /* let every service start before any is stopped */
        yield();
    for (int pass = 0; pass < 2; pass++) { /* tasks first, then the daemons they may have used */
        for (int i = 0; i < n; i++) {
            struct service *s = &services[i];
            int64 status;
            if (s->pid < 0 || s->daemon != pass)
                continue;
            if (s->daemon)
                kill(s->pid);
            if (wait(s->pid, &status) < 0)
                continue;
            printf("init: %s %s with status %ld\n", s->name, s->daemon ? "stopped" : "exited", status);
            if (!s->daemon && status != 0)
                failed++;
        }
    }
    printf("init: %d service%s, %d failed\n", total, total == 1 ? "" : "s", failed);
    return failed;
}
