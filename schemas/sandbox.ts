// Options of the `sandbox` namespace: capability-based policies, each a set
// of capabilities a process started under it holds and the pages it may map.
// A syscall that needs a capability the process lacks returns EPERM, and
// every capability guards at least one syscall (kernel-src/core/syscall.ts;
// tests/kernel-src/sandbox.test.ts checks it): console write; ipc ipc_send
// and ipc_recv; memory.map mmap and munmap; time clock_gettime and
// nanosleep; spawn spawn and wait; signal kill; fs.read open for reading,
// read, fstat and lseek; fs.write open for writing; process fork, execve and
// wait4 (a Linux program's children run under its own policy).
import { z } from "zod";
import { MAX_NAME, policyName, policyReference } from "./limits.ts";
import { option, type ValueOf } from "./option.ts";
import { submodule } from "./types.ts";

export const capabilities = ["console", "ipc", "memory.map", "time", "spawn", "signal", "fs.read", "fs.write", "process"] as const;
export type Capability = (typeof capabilities)[number];

/** The options of one policy: a submodule, so that each policy's definitions merge option by option. */
const policyOptions = {
  capabilities: option({
    type: z.array(z.enum(capabilities)),
    default: [],
    description: `What a process under the policy may do: any of ${capabilities.map((c) => `\`${c}\``).join(", ")}. Lists from several modules concatenate.`,
    example: ["console", "ipc"],
  }),
  memoryPages: option({
    type: z.number().int().min(1).max(1 << 20),
    default: 256,
    description: "The most pages of memory a process under the policy may map with mmap; past it, mmap fails with ENOMEM.",
    example: 1024,
  }),
  description: option({ type: z.string(), default: "", description: "What the policy is for, shown in listings.", example: "web servers" }),
};
export const sandboxPolicy = submodule({ options: policyOptions });
export type SandboxPolicy = ValueOf<typeof policyOptions>;

export const sandboxOptions = {
  policies: option({
    type: z.record(policyName, sandboxPolicy),
    default: {},
    description: `Sandbox policies by name (lower-case, at most ${MAX_NAME} characters). Definitions from several modules merge per policy, and within a policy the capability lists concatenate.`,
    example: { web: { capabilities: ["console", "ipc"], memoryPages: 1024 } },
  }),
  defaultPolicy: option({
    type: policyReference,
    default: "init",
    description: "The policy of processes that name none; must be one of `sandbox.policies`.",
    example: "init",
  }),
};
