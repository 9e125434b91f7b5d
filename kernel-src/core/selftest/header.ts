// include/selftest.h: what core/selftest.c shares with the port's
// arch/<arch>/selftest.c: the detail a test reports, the helpers that run a
// user process, and the port's test functions the table calls.
import { capabilities } from "../../../schemas/sandbox.ts";
import type { KernelTemplateInput } from "../../input.ts";
import { portOf } from "../../ports.ts";
import { emit, type Template } from "../../template.ts";

const source = "core/selftest/header.ts";

export const selftestHeader: Template = {
  source,
  render({ arch, kernel: k }: KernelTemplateInput) {
    if (k.testMode !== "selftest") return undefined;
    const portTests = portOf(arch).selftests(k);
    const summary = "The self-tests' shared helpers and the port's test functions.";
    return emit({ source, path: "include/selftest.h", summary, options: ["kernel.testMode"] }, (w) => {
      w.line("#pragma once");
      w.blank();
      w.line('#include "types.h"');
      w.blank();
      w.line(`#define CAP_ALL ((1UL << ${capabilities.length}) - 1) /* every capability (schemas/sandbox.ts) */`);
      w.comment("Text and numbers a test appends to the detail printed after ok/FAIL.");
      w.line("void detail_str(const char *s);", "void detail_num(uint64 v);", "void detail_hex(uint64 v);");
      w.comment("Run a user process to its end: its exit status (*killed: a fault or kill ended it), or NOT_STARTED.");
      w.line("#define NOT_STARTED (-1000)");
      w.line("int64 run_builtin(const char *name, uint64 caps, uint64 mode, uint64 arg, int *killed);", "int64 run_file(const char *path, uint64 caps, uint64 arg, int *killed);");
      w.comment("The port's tests (arch/<arch>/selftest.c): NULL when passed, else why not.");
      w.line(...portTests.map((t) => `const char *test_${t.name}(void);`));
    });
  },
};
