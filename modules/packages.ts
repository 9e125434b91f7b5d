// Declares the `packages` namespace. A package that talks over Fusion Rings
// needs the kernel's IPC: say so before anything is built.
import { defineModule } from "../generator/eval/module.ts";
import { mkBefore } from "../generator/eval/markers.ts";
import { packagesOptions } from "../schemas/packages.ts";

const needsIpc = ["echo-server", "ring-bench"];

export default defineModule({
  options: { packages: packagesOptions },
  // Every system starts with init; profiles add to the list.
  config: { packages: { install: mkBefore(["init"]) } },
  assertions: ({ config }) =>
    config.packages.install
      .filter((name) => needsIpc.includes(name))
      .map((name) => ({ assertion: config.kernel.ipc.enable, message: `packages.install holds "${name}", which needs kernel.ipc.enable = true` })),
});
