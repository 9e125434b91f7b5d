// exo publish PKG --out DIR: build a package and write it, signed, as
// DIR/<name>-<version>/ (generator/packages/publish.ts), for other
// projects to install from with the signature checked against their keys.
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { ExoError } from "../../errors.ts";
import { setEvalTimeout } from "../../eval/index.ts";
import { displayPath } from "../../eval/paths.ts";
import { suggest } from "../../eval/suggest.ts";
import { type LoadedPackage, loadPackage } from "../../packages/manifest.ts";
import { publishPackage } from "../../packages/publish.ts";
import { type Named, namedSet } from "../../packages/named-set.ts";
import { loadProject, type Project } from "../../project/config.ts";
import { defineCommand } from "../command.ts";
import { EVAL_TIMEOUT_FLAG, STORE_FLAG } from "../flags.ts";

export default defineCommand({
  name: "publish",
  summary: "Build a program package and write it signed (bin/NAME, its manifest, NAME.exopkg.sig) into DIR/NAME-VERSION/.",
  positionals: [{ name: "PKG", description: "a package folder (or its manifest), or else the name of a package of the set (pkgs/, or --profile's packages.set)" }],
  flags: {
    out: { type: "string", value: "DIR", description: "the folder to write NAME-VERSION/ into (required); an existing NAME-VERSION/ is kept only if identical" },
    profile: { type: "string", value: "PROFILE", description: "take the package set from this profile's packages.set: PKG's name and its build dependencies are looked up there" },
    ...STORE_FLAG,
    ...EVAL_TIMEOUT_FLAG,
  },
  async run({ values, positionals, usageError }) {
    const [spec] = positionals as [string];
    if (values.out === undefined) throw usageError("exo publish needs --out DIR: the folder to write the publication into");
    const project = await loadProject(process.cwd(), values.store !== undefined ? { store: values.store } : {});
    setEvalTimeout(values["eval-timeout"]);
    const set = await namedSet(values.profile, project);
    const pkg = await choose(spec, set, project);
    const published = await publishPackage({ pkg, set: set.map((s) => s.pkg), project, out: resolve(values.out) });
    const { name, version } = pkg.manifest.package;
    process.stdout.write(
      `${published.unchanged ? "already published, identical" : "published"} ${name} ${version} signed by key ${published.keyId}: ${displayPath(published.folder)}\n` +
        published.files.map((f) => `  ${f.path}  sha256 ${f.sha256}\n`).join(""),
    );
    return 0;
  },
});

/** An existing path is a package folder; anything else a name in the set. */
async function choose(spec: string, set: readonly Named[], project: Project): Promise<LoadedPackage> {
  if (spec.includes("/") || (await stat(spec).then(() => true, () => false))) return loadPackage(spec, { trusted: project.trusted });
  const found = set.find((s) => s.name === spec);
  if (found) return found.pkg;
  const near = suggest(spec, set.map((s) => s.name));
  throw new ExoError(
    "ERR_EXO_PACKAGE_NOT_FOUND",
    `${displayPath(spec)} is neither a package folder nor a package of the set`,
    near.length ? `did you mean ${near.map((n) => `\`${n}\``).join(" or ")}?` : "give a package's folder (`exo new NAME` makes one), or `exo search` the set",
  );
}
