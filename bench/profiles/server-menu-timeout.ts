// The server profile with one image option changed (the boot menu's
// timeout): for the rebuild benchmark, which expects no kernel file to
// recompile.
import { defineProfile, mkForce } from "exo";
import server from "../../profiles/server.ts";

export default defineProfile({
  imports: [server],
  config: { image: { bootTimeoutSeconds: mkForce(7) } },
});
