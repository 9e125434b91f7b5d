// The worked example of README.md's "Writing a package": a service
// (greeter) that links a library (libgreet), two versions of it side by
// side, and an override of a package's sandbox in the profile.
import { defineProfile } from "exo";

export default defineProfile({
  config: {
    system: { name: "greeter", arch: "x86_64" },
    packages: {
      set: {
        libgreet: { path: "./pkgs/libgreet" },
        greeter: { path: "./pkgs/greeter" },
        // The same folder built as another release: /exo/apps/greeter/1.0.0/, beside 2.0.0.
        "greeter-1": { path: "./pkgs/greeter", version: "1.0.0", sandbox: { capabilities: ["console"] } },
      },
      install: ["greeter", "greeter-1"],
    },
  },
});
