// exo show PKG: one package of the set: what it is, needs and may do.
import { namedSet } from "../../packages/named-set.ts";
import { loadProject } from "../../project/config.ts";
import { ExoError } from "../../errors.ts";
import { suggest } from "../../eval/suggest.ts";
import { packageRecord, showText } from "../../packages/describe.ts";
import { defineCommand } from "../command.ts";
import { JSON_FLAG } from "../flags.ts";
import { JSON_SCHEMAS, printJson } from "../json.ts";

export default defineCommand({
  name: "show",
  summary: "Describe a package of the set: version, license, sources, dependencies, sandbox and services.",
  positionals: [{ name: "PKG", description: "a package's name" }],
  flags: { profile: { type: "string", value: "PROFILE", description: "look in this profile's packages.set (its own packages and overrides) instead of Exo's own" }, ...JSON_FLAG("exo.packages/v1") },
  async run({ values, positionals }) {
    const [name] = positionals;
    const manifests = (await namedSet(values.profile, await loadProject())).map((n) => n.pkg.manifest);
    const matching = manifests.filter((m) => m.package.name === name);
    if (matching.length === 0) {
      const near = suggest(name!, manifests.map((m) => m.package.name));
      throw new ExoError("ERR_EXO_PACKAGE_NOT_FOUND", `the package set has no package named '${name}'`, near.length ? `did you mean ${near.map((n) => `\`${n}\``).join(" or ")}?` : "`exo search WORD` finds packages");
    }
    const records = matching.map(packageRecord);
    if (values.json) printJson({ schema: JSON_SCHEMAS.packages, packages: records });
    else process.stdout.write(records.map(showText).join("\n"));
    return 0;
  },
});
