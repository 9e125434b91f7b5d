// The server profile with one IPC option changed: what a push sends for a one-option change (bench/cache.ts).
import { defineProfile, mkForce } from "exo";
import server from "../../profiles/server.ts";

export default defineProfile({
  imports: [server],
  config: { kernel: { ipc: { ringSlots: mkForce(2048) } } },
});
