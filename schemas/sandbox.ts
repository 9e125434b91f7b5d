// Options of the `sandbox` namespace: capability-based policies, each a set
// of capabilities a process started under it holds. A syscall that needs a
// capability the process lacks returns EPERM.
import { z } from "zod";
import { MAX_NAME, policyName, policyReference } from "./limits.ts";
import { option } from "./option.ts";

export const capabilities = ["console", "ipc", "memory.map", "time", "spawn", "signal", "fs.read", "fs.write", "net"] as const;
export type Capability = (typeof capabilities)[number];

export const sandboxPolicy = z.strictObject({
  capabilities: z.array(z.enum(capabilities)).default([]),
  /** Most pages of memory a process under the policy may map. */
  memoryPages: z.number().int().min(1).max(1 << 20).default(256),
  description: z.string().default(""),
});
export type SandboxPolicy = z.output<typeof sandboxPolicy>;

export const sandboxOptions = {
  policies: option({
    type: z.record(policyName, sandboxPolicy),
    default: {},
    description: `Sandbox policies by name (lower-case, at most ${MAX_NAME} characters). Definitions from several modules merge per policy, and within a policy the capability lists concatenate.`,
    example: { web: { capabilities: ["console", "ipc", "net"], memoryPages: 1024 } },
  }),
  defaultPolicy: option({
    type: policyReference,
    default: "init",
    description: "The policy of processes that name none; must be one of `sandbox.policies`.",
    example: "init",
  }),
};
