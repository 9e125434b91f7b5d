// The smallest system: the kernel alone, no IPC rings, a small syscall set.
import { defineProfile } from "exo";

export default defineProfile({
  config: {
    system: { name: "minimal" },
    kernel: {
      ipc: { enable: false },
      scheduler: { policy: "round-robin" },
      syscalls: { hot: ["write", "exit", "getpid"], warm: [], cold: [] },
    },
  },
});
