// The process benchmarks' profile (bench/procbench.ts): the server with
// busybox (its `true` applet is what procbench executes) and procbench as a
// service. Booted with QEMU -icount, like Debian's Linux beside it.
import { defineProfile } from "exo";
import server from "../../profiles/server.ts";

export default defineProfile({
  imports: [server],
  config: {
    packages: { set: { procbench: { path: "../packages/procbench" } }, install: ["busybox", "procbench"] },
  },
});
