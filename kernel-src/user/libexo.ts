// user/lib/libexo.c: the little libc every user program links: string
// functions (clang may call memcpy and memset on its own) and a printf that
// writes to the console in one write per call.
import { portOf } from "../ports.ts";
import { emit, type FixedTemplate } from "../template.ts";

const source = "user/libexo.ts";

export const libexo: FixedTemplate = {
  source,
  render(arch) {
    const summary = "strlen, strcmp, memcmp, memcpy, memset, cycles and a console printf (%s %c %d %u %x, with l for 64-bit).";
    return emit({ source, path: "lib/libexo.c", summary, options: [] }, (w) => {
      w.line('#include "exo.h"');
      w.blank();
      w.line(`uint64 strlen(const char *s)
{
    uint64 n = 0;
    while (s[n] != 0)
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a != 0 && *a == *b)
        a++, b++;
    return (uint8)*a - (uint8)*b;
}

int memcmp(const void *a, const void *b, uint64 n)
{
    const uint8 *x = a, *y = b;
    for (uint64 i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] - y[i];
    return 0;
}

void *memcpy(void *dst, const void *src, uint64 n)
{
    uint8 *d = dst;
    const uint8 *s = src;
    while (n-- > 0)
        *d++ = *s++;
    return dst;
}

void *memset(void *dst, int c, uint64 n)
{
    uint8 *d = dst;
    while (n-- > 0)
        *d++ = (uint8)c;
    return dst;
}

uint64 cycles(void)
{
${portOf(arch).user.cycles.split("\n").map((l) => `    ${l}`).join("\n")}
}`);
      w.blank();
      w.comment("printf's output buffer: one line goes out in one write, so lines of two processes do not interleave.");
      w.c`
        struct out {
            char buf[256];
            uint64 len;
        };
      `;
      w.blank();
      w.line(`static void put(struct out *o, char c)
{
    if (o->len == sizeof o->buf) {
        write(1, o->buf, o->len);
        o->len = 0;
    }
    o->buf[o->len++] = c;
}

static void put_num(struct out *o, uint64 v, uint32 base, int negative)
{
    char digits[24];
    int n = 0;
    if (negative)
        put(o, '-');
    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v != 0);
    while (n > 0)
        put(o, digits[--n]);
}

void printf(const char *fmt, ...)
{
    struct out o = { .len = 0 };
    __builtin_va_list ap;
    __builtin_va_start(ap, fmt);
    for (; *fmt != 0; fmt++) {
        if (*fmt != '%' || fmt[1] == 0) {
            put(&o, *fmt);
            continue;
        }
        int is_long = 0;
        while (*++fmt == 'l')
            is_long = 1;
        switch (*fmt) {
        case 's':
            for (const char *s = __builtin_va_arg(ap, const char *); *s != 0; s++)
                put(&o, *s);
            break;
        case 'c':
            put(&o, (char)__builtin_va_arg(ap, int));
            break;
        case 'd': {
            int64 v = is_long ? __builtin_va_arg(ap, int64) : __builtin_va_arg(ap, int);
            put_num(&o, v < 0 ? -(uint64)v : (uint64)v, 10, v < 0);
            break;
        }
        case 'u':
        case 'x': {
            uint64 v = is_long ? __builtin_va_arg(ap, uint64) : __builtin_va_arg(ap, uint32);
            put_num(&o, v, *fmt == 'u' ? 10 : 16, 0);
            break;
        }
        default:
            put(&o, *fmt);
        }
    }
    __builtin_va_end(ap);
    write(1, o.buf, o.len);
}`);
    });
  },
};
