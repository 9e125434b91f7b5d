// Declares the `packages` namespace. A package that talks over Fusion Rings
// needs the kernel's IPC, ring-bench needs echo-server to answer it, and a
// package's policy must exist: say so before anything is built.
import { defineModule } from "../generator/eval/module.ts";
import { mkBefore } from "../generator/eval/markers.ts";
import { packagesOptions } from "../schemas/packages.ts";

const needsIpc = ["echo-server", "ring-bench"];

export default defineModule({
  options: { packages: packagesOptions },
  // Every system starts with init; profiles add to the list.
  config: { packages: { install: mkBefore(["init"]) } },
  assertions: ({ config }) => [
    ...config.packages.install
      .filter((name) => needsIpc.includes(name))
      .map((name) => ({
        assertion: config.kernel.ipc.enable,
        message: `packages.install holds "${name}", which needs kernel.ipc.enable = true`,
        options: ["packages.install", "kernel.ipc.enable"],
        hint: `set kernel.ipc.enable = true, or leave "${name}" out of packages.install`,
      })),
    ...(config.packages.install.includes("ring-bench")
      ? [{ assertion: config.packages.install.includes("echo-server"), message: 'packages.install holds "ring-bench", which needs "echo-server" too: it measures round trips through it', options: ["packages.install"], hint: 'add "echo-server" to packages.install' }]
      : []),
    // Own keys only: a policy named "constructor" exists only when sandbox.policies defines it.
    ...Object.entries(config.packages.policies).map(([name, policy]) => ({
      assertion: policy !== undefined && Object.hasOwn(config.sandbox.policies, policy),
      message: `packages.policies.${name} is "${policy}", an unknown policy: it is not among sandbox.policies (${Object.keys(config.sandbox.policies).join(", ")})`,
      options: [`packages.policies.${name}`],
      hint: `define sandbox.policies.${policy ?? name}, or name a policy that exists`,
    })),
  ],
});
