// exo remove PKG --profile P: take back a package `exo install` added, and
// print what changed.
import { removePackage } from "../../packages/install.ts";
import { loadProject } from "../../project/config.ts";
import { defineCommand } from "../command.ts";

export default defineCommand({
  name: "remove",
  summary: "Take a package `exo install` added out of a profile (its <profile>.packages.yaml) and print what changed.",
  positionals: [{ name: "PKG", description: "the package's name, as exo install added it" }],
  flags: { profile: { type: "string", value: "PROFILE", description: "the profile to remove it from (required)" } },
  async run({ values, positionals, usageError }) {
    if (values.profile === undefined) throw usageError("exo remove needs --profile PROFILE: the profile to remove the package from");
    process.stdout.write(await removePackage(values.profile, positionals[0]!, await loadProject()));
    return 0;
  },
});
