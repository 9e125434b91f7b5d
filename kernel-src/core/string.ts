// core/string.c: the memory and string helpers a freestanding kernel must
// supply itself; clang may also emit calls to memset/memcpy on its own.
import { emit, type Template } from "../template.ts";

const source = "core/string.ts";

export const string: Template = {
  source,
  render() {
    return emit(
      { source, path: "core/string.c", summary: "memset, memcpy (eight bytes a step), memmove, memcmp and strlen.", options: [] },
      (w) => {
        w.line('#include "types.h"', '#include "defs.h"');
        w.blank();
        w.comment("Eight bytes a step (REP STOSQ), then the rest: zeroing a page is 512 steps, not 4096.");
        w.fn("void *memset(void *dst, int c, uint64 n)", () => {
          w.line(`uint8 *d = dst;
uint64 v = 0x0101010101010101UL * (uint8)c, q = n / 8, r = n % 8;
__asm__ volatile("rep stosq" : "+D"(d), "+c"(q) : "a"(v) : "memory");
__asm__ volatile("rep stosb" : "+D"(d), "+c"(r) : "a"(v) : "memory");
return dst;`);
        });
        w.blank();
        w.comment("The areas must not overlap; memmove allows it. Eight bytes a step (REP MOVSQ), then the rest.");
        w.fn("void *memcpy(void *dst, const void *src, uint64 n)", () => {
          w.line(`uint8 *d = dst;
const uint8 *s = src;
uint64 q = n / 8, r = n % 8;
__asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(q) : : "memory");
__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(r) : : "memory");
return dst;`);
        });
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
