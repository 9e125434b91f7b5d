// A server: Fusion Rings sized for heavy IPC, the predictive scheduler, the
// full POSIX-X hot tier, and an echo service in a sandbox of its own.
import { defineProfile } from "exo";

export default defineProfile({
  config: {
    system: { name: "server", arch: "x86_64" },
    kernel: {
      ipc: { enable: true, ringSlots: 4096, batchSize: 32 },
      scheduler: { policy: "predictive", emaAlpha: 0.3, timesliceUs: 4000 },
      allocator: { threadCacheObjects: 64 },
      contextSwitch: { lazyFpu: true },
    },
    sandbox: {
      policies: {
        echo: { capabilities: ["console", "ipc"], memoryPages: 512, description: "The echo service: rings and the console, nothing else." },
      },
    },
    packages: { install: ["echo-server"], policies: { "echo-server": "echo" } },
    image: { formats: ["bundle", "kernel", "iso", "raw"] },
  },
});
