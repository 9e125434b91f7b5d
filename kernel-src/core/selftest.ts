// core/selftest.c: the in-kernel tests (kernel.testMode = "selftest"), a table
// of named tests in the manner of xv6's usertests. Each subsystem's tests are a
// module of core/selftest/, and this template puts them into one file; the
// port's own (arch/<arch>/selftest.ts) go to the port's selftest.c, and the
// table here calls them through include/selftest.h. Each prints `EXO-TEST <name> ok|FAIL
// [detail]`; the kernel then exits 0 if all passed. Tests of features that are
// off are not in the table (nor in the C).
import { syscallTiers } from "../features.ts";
import type { KernelTemplateInput } from "../input.ts";
import { portOf } from "../ports.ts";
import { emit, type Template } from "../template.ts";
import { allocTests } from "./selftest/alloc.ts";
import { detailHelpers, runHelpers, runner, testFunctions } from "./selftest/harness.ts";
import { ipcTests } from "./selftest/ipc.ts";
import { schedTests } from "./selftest/sched.ts";
import type { KernelConfig, SelfTest } from "./selftest/test.ts";
import { userTests } from "./selftest/user.ts";
import { usertestTests } from "./selftest/usertest.ts";

const source = "core/selftest.ts";

type SelfTestInput = Pick<KernelTemplateInput, "arch" | "kernel">;

/** Every test of the build, in the order the kernel runs them. */
function selftests({ arch, kernel: k }: SelfTestInput): SelfTest[] {
  const ctx = { kernel: k, built: new Set(syscallTiers(k).flatMap((t) => t.syscalls.map((x) => x.name))) };
  return [...allocTests(k), ...schedTests(k), ...portOf(arch).selftests(k), ...userTests(ctx), ...usertestTests(ctx), ...ipcTests(k)];
}

/** The names of the self-tests a kernel built from `input` runs, in the order of its EXO-TEST lines. */
export function selftestNames(input: SelfTestInput): string[] {
  return selftests(input).map((t) => t.name);
}

/** Each string once, where it first comes. */
const unique = (items: readonly string[]): string[] => [...new Set(items)];

export const selftest: Template = {
  source,
  render(input: KernelTemplateInput) {
    if (input.kernel.testMode !== "selftest") return undefined;
    const all = selftests(input);
    // The port's tests are defined in its own file (port-file.ts): here they are only rows of the table.
    const portNames = new Set(portOf(input.arch).selftests(input.kernel).map((t) => t.name));
    const own = all.filter((t) => !portNames.has(t.name));
    const options = unique(["kernel.testMode", ...all.flatMap((t) => t.options)]);
    const summary = `The in-kernel self-tests: ${all.map((t) => t.name).join(", ")}.`;
    return emit({ source, path: "core/selftest.c", summary, options }, (w) => {
      const headers = unique(["types.h", "arch.h", "errno.h", "sysnum.h", "thread.h", "selftest.h", ...own.flatMap((t) => t.includes ?? []), "defs.h"]);
      w.line(...headers.map((h) => `#include "${h}"`));
      w.blank();
      const declarations = unique(own.flatMap((t) => t.declarations ?? []));
      if (declarations.length > 0) {
        w.comment("What the tests need from the config (through functions, so that this file includes no tunables header) and from the port.");
        w.line(...declarations).blank();
      }
      detailHelpers(w);
      w.blank();
      runHelpers(w);
      testFunctions(w, own);
      w.blank();
      runner(w, all);
    });
  },
};
