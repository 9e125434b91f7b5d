// user/bin/init.c: the first user process. It reads /etc/exo/services (one
// service a line: name, sandbox policy, daemon or task; written by the initrd
// builder from packages.install), starts each one from bin/ under its policy,
// waits for the tasks, then stops the daemons, and exits with the number of
// services that failed.
import { emit, type FixedTemplate } from "../../template.ts";

const source = "user/programs/init.ts";

export const init: FixedTemplate = {
  source,
  render() {
    const summary = "init: start every service of /etc/exo/services under its sandbox policy, wait for the tasks, stop the daemons.";
    return emit({ source, path: "bin/init.c", summary, options: [] }, (w) => {
      w.line('#include "exo.h"');
      w.blank();
      w.line(`#define MAX_SERVICES 16

struct service {
    char name[32];
    char policy[32];
    int daemon;
    int64 pid;
};

static struct service services[MAX_SERVICES];
static char text[2048];

/* Copy the next blank-separated word at 'at' into out (room n); return where it ends. */
static const char *word(const char *at, char *out, uint64 n)
{
    uint64 i = 0;
    while (*at == ' ')
        at++;
    for (; *at != 0 && *at != ' ' && *at != '\\n'; at++)
        if (i + 1 < n)
            out[i++] = *at;
    out[i] = 0;
    return at;
}

/* Read and parse the services file; returns how many services it names, or -1. */
static int load(void)
{
    struct stat st;
    int64 fd = open("/etc/exo/services", O_RDONLY);
    if (fd < 0) {
        printf("init: cannot open /etc/exo/services: error %ld\\n", -fd);
        return -1;
    }
    if (fstat(fd, &st) < 0 || st.size >= sizeof text) {
        printf("init: /etc/exo/services is larger than %lu bytes\\n", (uint64)sizeof text);
        close(fd);
        return -1;
    }
    int64 got = read(fd, text, st.size);
    close(fd);
    if (got != (int64)st.size) {
        printf("init: read %ld of the %lu bytes of /etc/exo/services\\n", got, st.size);
        return -1;
    }
    text[got] = 0;
    int n = 0;
    for (const char *at = text; *at != 0 && n < MAX_SERVICES;) {
        char kind[8];
        struct service *s = &services[n];
        at = word(at, s->name, sizeof s->name);
        at = word(at, s->policy, sizeof s->policy);
        at = word(at, kind, sizeof kind);
        while (*at != 0 && *at++ != '\\n')
            ;
        if (s->name[0] == 0 || s->name[0] == '#')
            continue;
        s->daemon = strcmp(kind, "daemon") == 0;
        n++;
    }
    return n;
}

int main(void)
{
    int n = load(), failed = 0;
    if (n < 0)
        return 1;
    printf("init: pid %ld, %d service%s in /etc/exo/services\\n", getpid(), n, n == 1 ? "" : "s");
    for (int i = 0; i < n; i++) {
        char path[40] = "bin/";
        struct service *s = &services[i];
        memcpy(path + 4, s->name, strlen(s->name) + 1);
        s->pid = spawn(path, s->policy, 0);
        if (s->pid < 0) {
            printf("init: cannot start %s under policy %s: error %ld\\n", path, s->policy, -s->pid);
            failed++;
        } else {
            printf("init: started %s (pid %ld, policy %s)\\n", s->name, s->pid, s->policy);
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
            printf("init: %s %s with status %ld\\n", s->name, s->daemon ? "stopped" : "exited", status);
            if (!s->daemon && status != 0)
                failed++;
        }
    }
    printf("init: %d service%s, %d failed\\n", n, n == 1 ? "" : "s", failed);
    return failed;
}`);
    });
  },
};
