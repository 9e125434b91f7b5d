// arch/<arch>/selftest.c: a port's own self-tests (traps, FPU state, page
// rights), in a file of the port so that core/selftest.c names nothing of
// any arch. Each port's index.ts lists the template this makes.
import type { KernelTemplateInput } from "../../input.ts";
import { emit, type Template } from "../../template.ts";
import { testFunctions } from "./harness.ts";
import type { KernelConfig, SelfTest } from "./test.ts";

/** Each string once, where it first comes. */
const unique = (items: readonly string[]): string[] => [...new Set(items)];

/** The template of a port's self-test file: `source` is the port's selftest.ts, `tests` its tests. */
export function portSelftestTemplate(source: string, path: string, tests: (k: KernelConfig) => SelfTest[]): Template {
  return {
    source,
    render({ kernel: k }: KernelTemplateInput) {
      if (k.testMode !== "selftest") return undefined;
      const all = tests(k);
      const options = unique(["kernel.testMode", ...all.flatMap((t) => t.options)]);
      const summary = `The port's self-tests: ${all.map((t) => t.name).join(", ")}.`;
      return emit({ source, path, summary, options }, (w) => {
        const headers = unique(["types.h", "errno.h", "thread.h", "selftest.h", ...all.flatMap((t) => t.includes ?? []), "defs.h"]);
        w.line(...headers.map((h) => `#include "${h}"`));
        const declarations = unique(all.flatMap((t) => t.declarations ?? []));
        if (declarations.length > 0) w.blank().line(...declarations);
        testFunctions(w, all, "extern");
      });
    },
  };
}
