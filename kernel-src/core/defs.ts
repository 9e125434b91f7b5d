// include/defs.h: prototypes of everything one kernel file calls in another,
// grouped by the file that defines it (xv6's defs.h).
import type { KernelTemplateInput } from "../input.ts";
import { emit, type Template } from "../template.ts";

const source = "core/defs.ts";

const noreturn = "__attribute__((noreturn))";

export const defs: Template = {
  source,
  render({ arch, kernel: k }: KernelTemplateInput) {
    const groups: [file: string, lines: string[]][] = [
      [`arch/${arch}/serial.c`, ["void uart_init(void);", "void uart_putc(int c);"]],
      [`arch/${arch}/power.c`, [`void arch_exit(int status) ${noreturn};`]],
      [
        "core/build_info.c",
        [
          "extern const char build_system_name[];",
          "extern const char build_arch[];",
          "extern const char build_config_hash[];",
          "extern const char build_features[];",
        ],
      ],
      ...(k.ipc.enable ? [["core/ipc.c", ["void ipc_init(void);"]] as [string, string[]]] : []),
      ["core/main.c", ["void kmain(uint32 magic, uint64 info);"]],
      [
        "core/printf.c",
        ["void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));", `void panic(const char *reason) ${noreturn};`],
      ],
      [
        "core/string.c",
        [
          "void *memset(void *dst, int c, uint64 n);",
          "void *memcpy(void *dst, const void *src, uint64 n);",
          "void *memmove(void *dst, const void *src, uint64 n);",
          "int memcmp(const void *a, const void *b, uint64 n);",
          "uint64 strlen(const char *s);",
        ],
      ],
    ];
    const options = k.ipc.enable ? ["kernel.ipc.enable"] : [];
    const summary = "Functions and data shared between kernel files, grouped by the file that defines them.";
    return emit({ source, path: "include/defs.h", summary, options }, (w) => {
      w.line("#pragma once");
      w.blank();
      w.line('#include "types.h"');
      for (const [file, lines] of groups) w.blank().comment(file).line(...lines);
    });
  },
};
