// Options of the `sandbox` namespace: capability-based policies, each a set
// of capabilities a process started under it holds. A syscall that needs a
// capability the process lacks returns EPERM.
import { z } from "zod";
import { MAX_NAME, policyName, policyReference } from "./limits.ts";
import { option, type ValueOf } from "./option.ts";
import { submodule } from "./types.ts";

export const capabilities = ["console", "ipc", "memory.map", "time", "spawn", "signal", "fs.read", "fs.write", "net"] as const;
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
    description: "The most pages of memory a process under the policy may map.",
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
    example: { web: { capabilities: ["console", "ipc", "net"], memoryPages: 1024 } },
  }),
  defaultPolicy: option({
    type: policyReference,
    default: "init",
    description: "The policy of processes that name none; must be one of `sandbox.policies`.",
    example: "init",
  }),
};
