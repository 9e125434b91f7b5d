// exo search [WORD]: the packages of the set whose name or description holds WORD.
import { namedSet } from "../../packages/named-set.ts";
import { loadProject } from "../../project/config.ts";
import { ExoError } from "../../errors.ts";
import { suggest } from "../../eval/suggest.ts";
import { searchPackages } from "../../packages/describe.ts";
import { defineCommand } from "../command.ts";
import { JSON_FLAG } from "../flags.ts";
import { JSON_SCHEMAS, printJson } from "../json.ts";

export default defineCommand({
  name: "search",
  summary: "List the packages of the set whose name or description holds WORD (every package without one).",
  positionals: [{ name: "WORD", description: "a word to look for, without regard to case", optional: true }],
  flags: { profile: { type: "string", value: "PROFILE", description: "look in this profile's packages.set (its own packages and overrides) instead of Exo's own" }, ...JSON_FLAG("exo.packages/v1") },
  async run({ values, positionals }) {
    const [word] = positionals;
    const manifests = (await namedSet(values.profile, await loadProject())).map((n) => n.pkg.manifest);
    const found = searchPackages(manifests, word);
    if (found.length === 0) {
      const near = suggest(word!, manifests.map((m) => m.package.name));
      throw new ExoError("ERR_EXO_PACKAGE_NOT_FOUND", `no package of the set matches '${word}'`, near.length ? `did you mean ${near.map((n) => `\`${n}\``).join(" or ")}?` : "`exo search` lists every package");
    }
    if (values.json) {
      printJson({ schema: JSON_SCHEMAS.packages, packages: found });
      return 0;
    }
    const width = Math.max(...found.map((r) => `${r.name} ${r.version}`.length));
    for (const r of found) process.stdout.write(`${`${r.name} ${r.version}`.padEnd(width)}  ${r.description}\n`);
    return 0;
  },
});
