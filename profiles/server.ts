// A server: Fusion Rings sized for heavy IPC, the predictive scheduler, and
// the full POSIX-X hot tier.
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
    image: { formats: ["bundle"] },
  },
});
