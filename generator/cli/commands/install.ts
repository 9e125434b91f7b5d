// exo install PKG|PATH --profile P: add a package to a profile through its
// machine-owned module (<profile>.packages.yaml), and print what changed.
import { installPackage } from "../../packages/install.ts";
import { loadProject } from "../../project/config.ts";
import { defineCommand } from "../command.ts";

export default defineCommand({
  name: "install",
  summary: "Add a package to a profile: a name of its packages.set, or a package folder. Writes <profile>.packages.yaml (never the profile) and prints what changed.",
  positionals: [{ name: "PKG|PATH", description: "a package of the profile's set by name, or a package folder (./path, with a '/' or a leading '.')" }],
  flags: { profile: { type: "string", value: "PROFILE", description: "the profile to add it to (required)" } },
  async run({ values, positionals, usageError }) {
    if (values.profile === undefined) throw usageError("exo install needs --profile PROFILE: the profile to add the package to");
    process.stdout.write(await installPackage(values.profile, positionals[0]!, await loadProject()));
    return 0;
  },
});
