// A shell system: Debian's busybox-static, unmodified (pkgs/busybox), as
// /exo/bin/sh and its applets, and a service that is a shell script
// (examples/shell-demo) exercising pipes, redirections, $? and sourcing.
import { defineProfile } from "exo";

export default defineProfile({
  config: {
    system: { name: "busybox", arch: "x86_64" },
    packages: {
      set: { "shell-demo": { path: "../examples/shell-demo" } },
      install: ["busybox", "shell-demo"],
    },
  },
});
