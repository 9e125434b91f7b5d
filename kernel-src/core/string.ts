// core/string.c: the memory and string helpers a freestanding kernel must
// supply itself; clang may also emit calls to memset/memcpy on its own. A port
// with faster bulk instructions (x86_64's REP STOSQ/MOVSQ) defines
// ARCH_HAS_STRING and arch_memset/arch_memcpy in arch.h; the others get the
// portable loops, eight bytes a step when the addresses allow.
import { emit, type Template } from "../template.ts";

const source = "core/string.ts";

export const string: Template = {
  source,
  render() {
    return emit(
      { source, path: "core/string.c", summary: "memset, memcpy (eight bytes a step), memmove, memcmp and strlen.", options: [] },
      (w) => {
        w.line('#include "types.h"', '#include "arch.h"', '#include "defs.h"');
        w.blank();
        w.c`
          #ifdef ARCH_HAS_STRING
          void *memset(void *dst, int c, uint64 n)
          {
              arch_memset(dst, (uint8)c, n);
              return dst;
          }

          /* The areas must not overlap; memmove allows it. */
          void *memcpy(void *dst, const void *src, uint64 n)
          {
              arch_memcpy(dst, src, n);
              return dst;
          }
          #else
          /* Bytes up to an eight-byte boundary, then eight bytes a step: zeroing a page is 512 steps, not 4096. */
          void *memset(void *dst, int c, uint64 n)
          {
              uint8 *d = dst;
              uint64 v = 0x0101010101010101UL * (uint8)c;
              while (n > 0 && ((uint64)d & 7) != 0) {
                  *d++ = (uint8)c;
                  n--;
              }
              for (; n >= 8; n -= 8, d += 8)
                  *(uint64 *)d = v;
              while (n-- > 0)
                  *d++ = (uint8)c;
              return dst;
          }

          /* The areas must not overlap; memmove allows it. Eight bytes a step when both are equally aligned. */
          void *memcpy(void *dst, const void *src, uint64 n)
          {
              uint8 *d = dst;
              const uint8 *s = src;
              if ((((uint64)d ^ (uint64)s) & 7) == 0) {
                  while (n > 0 && ((uint64)d & 7) != 0) {
                      *d++ = *s++;
                      n--;
                  }
                  for (; n >= 8; n -= 8, d += 8, s += 8)
                      *(uint64 *)d = *(const uint64 *)s;
              }
              while (n-- > 0)
                  *d++ = *s++;
              return dst;
          }
          #endif
        `;
        w.blank();
        w.comment("Copies backwards when dst is above src, so an overlapping tail is read before it is overwritten.");
        w.fn("void *memmove(void *dst, const void *src, uint64 n)", () => {
          w.line("uint8 *d = dst;", "const uint8 *s = src;");
          w.line("if (d > s && d < s + n) {");
          w.indent(() => w.line("while (n-- > 0)").indent(() => w.line("d[n] = s[n];")));
          w.line("} else {");
          w.indent(() => w.line("memcpy(d, s, n);"));
          w.line("}");
          w.line("return dst;");
        });
        w.blank();
        w.fn("int memcmp(const void *a, const void *b, uint64 n)", () => {
          w.line("const uint8 *x = a, *y = b;");
          w.block("for (uint64 i = 0; i < n; i++) {", () => {
            w.line("if (x[i] != y[i])").indent(() => w.line("return x[i] - y[i];"));
          });
          w.line("return 0;");
        });
        w.blank();
        w.fn("uint64 strlen(const char *s)", () => {
          w.line("uint64 n = 0;");
          w.line("while (s[n] != 0)").indent(() => w.line("n++;"));
          w.line("return n;");
        });
      },
    );
  },
};
