// core/printf.c: formatted console output and panic, on top of arch_console_putc.
import { emit, type Template } from "../template.ts";

const source = "core/printf.ts";

export const printf: Template = {
  source,
  render() {
    return emit(
      { source, path: "core/printf.c", summary: "kprintf, a small printf for the console, and panic.", options: [] },
      (w) => {
        w.line('#include "types.h"', '#include "arch.h"', '#include "defs.h"');
        w.blank();
        w.line('static const char digits[] = "0123456789abcdef";');
        w.blank();
        w.comment("Print x in base, with at least width digits (zero-padded).");
        w.fn("static void printint(uint64 x, uint32 base, int width)", () => {
          w.line("char buf[24];", "int i = 0;");
          w.blank();
          w.block("do {", () => w.line("buf[i++] = digits[x % base];", "x /= base;"), "} while (x != 0);");
          w.line("while (i < width && i < (int)sizeof buf)").indent(() => w.line("buf[i++] = '0';"));
          w.line("while (i > 0)").indent(() => w.line("arch_console_putc(buf[--i]);"));
        });
        w.blank();
        w.comment(
          "Print fmt with the arguments ap to the console. Understands %d %u %x %s %c %p %% and a",
          "width, which always pads with zeros (%02u); that is all the kernel needs. With escape,",
          "a %s string's bytes outside printable ASCII come out as \\xNN: for names a process chose.",
        );
        w.fn("static void vprint(const char *fmt, va_list ap, int escape)", () => {
          w.block("for (const char *p = fmt; *p != 0; p++) {", () => {
            w.block("if (*p != '%') {", () => w.line("arch_console_putc(*p);", "continue;"));
            w.line("int width = 0;");
            w.line("while (p[1] >= '0' && p[1] <= '9')").indent(() => w.line("width = width * 10 + (*++p - '0');"));
            w.line("if (*++p == 0)").indent(() => w.line("break;"));
            w.line("switch (*p) {");
            w.line("case 'd': {");
            w.indent(() => {
              w.line("int64 v = va_arg(ap, int);");
              w.line("if (v < 0)").indent(() => w.line("arch_console_putc('-');"));
              w.line("printint(v < 0 ? (uint64)-v : (uint64)v, 10, width);", "break;");
            });
            w.line("}");
            w.line("case 'u':").indent(() => w.line("printint(va_arg(ap, uint32), 10, width);", "break;"));
            w.line("case 'x':").indent(() => w.line("printint(va_arg(ap, uint32), 16, width);", "break;"));
            w.line("case 'p':").indent(() => w.line('kprintf("0x");', "printint((uint64)va_arg(ap, void *), 16, 16);", "break;"));
            w.line("case 's': {");
            w.indent(() => {
              w.line("const char *s = va_arg(ap, const char *);");
              w.line("for (; *s != 0; s++) {").indent(() => {
                w.line("if (escape && (*s < 0x20 || *s > 0x7e || *s == '\\\\')) {").indent(() => w.line("arch_console_putc('\\\\');", "arch_console_putc('x');", "printint((uint8)*s, 16, 2);"));
                w.line("} else").indent(() => w.line("arch_console_putc(*s);"));
              });
              w.line("}");
              w.line("break;");
            });
            w.line("}");
            w.line("case 'c':").indent(() => w.line("arch_console_putc(va_arg(ap, int));", "break;"));
            w.line("case '%':").indent(() => w.line("arch_console_putc('%');", "break;"));
            w.line("default:").indent(() => w.line("arch_console_putc('%');", "arch_console_putc(*p);", "break;"));
            w.line("}");
          });
        });
        w.blank();
        w.fn("void vkprintf(const char *fmt, va_list ap)", () => w.line("vprint(fmt, ap, 0);"));
        w.blank();
        w.comment("vkprintf with every %s string escaped: what a process put in it cannot forge a console line.");
        w.fn("void vkprintf_untrusted(const char *fmt, va_list ap)", () => w.line("vprint(fmt, ap, 1);"));
        w.blank();
        w.fn("void kprintf(const char *fmt, ...)", () => {
          w.line("va_list ap;", "va_start(ap, fmt);", "vkprintf(fmt, ap);", "va_end(ap);");
        });
        w.blank();
        w.comment(
          "Report a failed boot check and stop with status 1: arch_halt hands the",
          "status to the host where it can, so a test run sees that the boot failed.",
        );
        w.fn("void panic(const char *reason)", () => {
          w.line('kprintf("exo: panic: %s\\n", reason);');
          w.line("backtrace((uint64)__builtin_frame_address(0));");
          w.line("arch_halt(1);");
        });
      },
    );
  },
};
