// include/types.h: fixed-width integers and varargs. The kernel is compiled
// with -nostdinc, so nothing comes from libc or the host's headers.
import { emit, type Template } from "../template.ts";

const source = "core/types.ts";

export const types: Template = {
  source,
  render() {
    return emit(
      { source, path: "include/types.h", summary: "Basic types, defined here because the kernel uses no libc headers.", options: [] },
      (w) => {
        w.line("#pragma once");
        w.blank();
        w.c`
          typedef unsigned char uint8;
          typedef unsigned short uint16;
          typedef unsigned int uint32;
          typedef int int32;
          typedef unsigned long uint64;
          typedef long int64;
        `;
        w.blank();
        w.line('_Static_assert(sizeof(uint64) == 8 && sizeof(void *) == 8, "the kernel is LP64");');
        w.blank();
        w.comment("Variadic arguments, straight from the compiler (no <stdarg.h>).");
        w.c`
          typedef __builtin_va_list va_list;
          #define va_start(ap, last) __builtin_va_start(ap, last)
          #define va_arg(ap, type)   __builtin_va_arg(ap, type)
          #define va_end(ap)         __builtin_va_end(ap)
        `;
        w.blank();
        w.line("#define NULL ((void *)0)");
      },
    );
  },
};
