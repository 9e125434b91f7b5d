// The server profile with one scheduler option changed: for the rebuild benchmark.
import { defineProfile, mkForce } from "exo";
import server from "../../profiles/server.ts";

export default defineProfile({
  imports: [server],
  config: { kernel: { scheduler: { emaAlpha: mkForce(0.5) } } },
});
