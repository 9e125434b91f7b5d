#include "greet.h"

static uint64 append(char *out, uint64 at, uint64 n, const char *s)
{
    while (*s != 0 && at + 1 < n)
        out[at++] = *s++;
    return at;
}

uint64 greet(const char *who, char *out, uint64 n)
{
    uint64 at = 0;
    if (n == 0)
        return 0;
    at = append(out, at, n, "hello, ");
    at = append(out, at, n, who);
    at = append(out, at, n, ", from libgreet " EXO_PACKAGE_VERSION);
    out[at] = 0;
    return at;
}
