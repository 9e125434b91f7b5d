// What a self-test is. Each module of this folder (and each port's
// selftest.ts) gives the tests of one subsystem; core/selftest.ts puts them
// all, in order, into the one file core/selftest.c.
import type { KernelTemplateInput } from "../../input.ts";

export type KernelConfig = KernelTemplateInput["kernel"];

export interface SelfTest {
  /** The name its `EXO-TEST <name> ok|FAIL` line prints; its C function is `test_<name>`. */
  readonly name: string;
  /** The option paths that put the test in the build or shaped its C (the file's header lists them). */
  readonly options: readonly string[];
  /** Headers it needs beyond the ones every test gets. */
  readonly includes?: readonly string[];
  /** Lines for the head of the file (config values as #defines, extern declarations); a line several tests give is written once. */
  readonly declarations?: readonly string[];
  /** C before the test's function: static helpers and state. */
  readonly helpers?: string;
  /** The function's body, without the final `return NULL;` (passed): returns the reason when it fails. */
  readonly body: string;
}

/** What a subsystem's tests are made from. */
export interface SelfTestContext {
  readonly kernel: KernelConfig;
  /** The syscalls some tier builds (features.ts): a test of one that is not built is left out. */
  readonly built: ReadonlySet<string>;
}

/** The options of the syscall tiers: the tests that run user programs depend on which syscalls exist. */
export const TIER_OPTIONS = ["kernel.syscalls.hot", "kernel.syscalls.warm", "kernel.syscalls.cold"] as const;
