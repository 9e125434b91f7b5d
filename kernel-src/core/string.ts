// core/string.c: the memory and string helpers a freestanding kernel must
// supply itself; clang may also emit calls to memset/memcpy on its own.
import { emit, type Template } from "../template.ts";

const source = "core/string.ts";

export const string: Template = {
  source,
  render() {
    return emit(
      { source, path: "core/string.c", summary: "memset, memcpy, memmove, memcmp and strlen, byte by byte.", options: [] },
      (w) => {
        w.line('#include "types.h"', '#include "defs.h"');
        w.blank();
        w.fn("void *memset(void *dst, int c, uint64 n)", () => {
          w.line("uint8 *d = dst;");
          w.line("while (n-- > 0)").indent(() => w.line("*d++ = (uint8)c;"));
          w.line("return dst;");
        });
        w.blank();
        w.comment("The areas must not overlap; memmove allows it.");
        w.fn("void *memcpy(void *dst, const void *src, uint64 n)", () => {
          w.line("uint8 *d = dst;", "const uint8 *s = src;");
          w.line("while (n-- > 0)").indent(() => w.line("*d++ = *s++;"));
          w.line("return dst;");
        });
        w.blank();
        w.comment("Copies backwards when dst is above src, so an overlapping tail is read before it is overwritten.");
        w.fn("void *memmove(void *dst, const void *src, uint64 n)", () => {
          w.line("uint8 *d = dst;", "const uint8 *s = src;");
          w.line("if (d > s && d < s + n) {");
          w.indent(() => w.line("while (n-- > 0)").indent(() => w.line("d[n] = s[n];")));
          w.line("} else {");
          w.indent(() => w.line("while (n-- > 0)").indent(() => w.line("*d++ = *s++;")));
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
