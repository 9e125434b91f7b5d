// core/selftest.c: the in-kernel tests (kernel.testMode = "selftest"), a table
// of named tests in the manner of xv6's usertests. Each subsystem's tests are a
// module of core/selftest/, the port's own in arch/<arch>/selftest.ts; this
// template puts them into one file. Each prints `EXO-TEST <name> ok|FAIL
// [detail]`; the kernel then exits 0 if all passed. Tests of features that are
// off are not in the table (nor in the C).
import type { Arch } from "../../schemas/system.ts";
import { capabilities } from "../../schemas/sandbox.ts";
import { selftests as x86_64 } from "../arch/x86_64/selftest.ts";
import { syscallTiers } from "../features.ts";
import type { KernelTemplateInput } from "../input.ts";
import { emit, type Template } from "../template.ts";
import { allocTests } from "./selftest/alloc.ts";
import { detailHelpers, runHelpers, runner, testFunctions } from "./selftest/harness.ts";
import { ipcTests } from "./selftest/ipc.ts";
import { schedTests } from "./selftest/sched.ts";
import type { KernelConfig, SelfTest } from "./selftest/test.ts";
import { userTests } from "./selftest/user.ts";
import { usertestTests } from "./selftest/usertest.ts";

const source = "core/selftest.ts";

/** Each port's self-tests (traps, FPU state, page rights): they run after the scheduler's. */
const portTests: Partial<Record<Arch, (k: KernelConfig) => SelfTest[]>> = { x86_64 };

type SelfTestInput = Pick<KernelTemplateInput, "arch" | "kernel">;

/** Every test of the build, in the order the kernel runs them. */
function selftests({ arch, kernel: k }: SelfTestInput): SelfTest[] {
  const port = portTests[arch];
  if (port === undefined) throw new Error(`kernel-src: no self-tests for arch "${arch}"`);
  const ctx = { kernel: k, built: new Set(syscallTiers(k).flatMap((t) => t.syscalls.map((x) => x.name))) };
  return [...allocTests(k), ...schedTests(k), ...port(k), ...userTests(ctx), ...usertestTests(ctx), ...ipcTests(k)];
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
    const options = unique(["kernel.testMode", ...all.flatMap((t) => t.options)]);
    const summary = `The in-kernel self-tests: ${all.map((t) => t.name).join(", ")}.`;
    return emit({ source, path: "core/selftest.c", summary, options }, (w) => {
      const headers = unique(["types.h", "errno.h", "sysnum.h", "thread.h", ...all.flatMap((t) => t.includes ?? []), "defs.h"]);
      w.line(...headers.map((h) => `#include "${h}"`));
      w.blank();
      w.comment("What the tests need from the config (through functions, so that this file includes no tunables header) and from the port.");
      w.line(`#define CAP_ALL ((1UL << ${capabilities.length}) - 1) /* every capability (schemas/sandbox.ts) */`);
      w.line(...unique(all.flatMap((t) => t.declarations ?? [])));
      w.blank();
      detailHelpers(w);
      w.blank();
      runHelpers(w);
      testFunctions(w, all);
      w.blank();
      runner(w, all);
    });
  },
};
