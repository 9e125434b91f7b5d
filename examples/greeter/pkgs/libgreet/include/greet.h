/* libgreet: build a greeting line. */
#ifndef GREET_H
#define GREET_H

#include "exo.h"

/* Write "hello, <who>, from libgreet <version>" into out (room n, NUL-terminated); returns its length. */
uint64 greet(const char *who, char *out, uint64 n);

#endif
