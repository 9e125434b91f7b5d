// Declares the `sandbox` namespace and the policy every system needs: the
// one `init` runs under. Checks that the default policy exists and that no
// policy grants IPC when the kernel has none.
import { defineModule } from "../generator/eval/module.ts";
import { sandboxOptions } from "../schemas/sandbox.ts";

export default defineModule({
  options: { sandbox: sandboxOptions },
  config: {
    sandbox: {
      policies: {
        init: { capabilities: ["console", "spawn", "signal", "fs.read", "memory.map", "time"], description: "The first user process: reads /etc/exo/services, starts and stops the services." },
      },
    },
  },
  assertions: ({ config }) => [
    {
      // Own keys only: "constructor" or "toString" is no policy just because every object has one.
      assertion: Object.hasOwn(config.sandbox.policies, config.sandbox.defaultPolicy),
      message: `sandbox.defaultPolicy is "${config.sandbox.defaultPolicy}", an unknown policy: it is not among sandbox.policies (${Object.keys(config.sandbox.policies).join(", ") || "none"})`,
      options: ["sandbox.defaultPolicy"],
      hint: `define sandbox.policies.${config.sandbox.defaultPolicy}, or set sandbox.defaultPolicy to a policy that exists`,
    },
    ...Object.entries(config.sandbox.policies)
      .filter(([, policy]) => policy.capabilities.includes("ipc"))
      .map(([name]) => ({
        assertion: config.kernel.ipc.enable,
        message: `sandbox.policies.${name}.capabilities grants "ipc", but kernel.ipc.enable is false`,
        options: [`sandbox.policies.${name}`, "kernel.ipc.enable"],
        hint: `set kernel.ipc.enable = true, or drop "ipc" from sandbox.policies.${name}.capabilities`,
      })),
  ],
});
