// exo new NAME: a package folder that builds and boots as it is, from a
// template (generator/packages/templates.ts). Like `cargo new`, it makes
// DIR/NAME and never writes into a folder that holds anything.
import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { packageName } from "../../../schemas/package-fields.ts";
import { ExoError } from "../../errors.ts";
import { displayPath } from "../../eval/paths.ts";
import { exoPath } from "../../exo-root.ts";
import { TEMPLATES, type TemplateName, templateFiles } from "../../packages/templates.ts";
import { defineCommand } from "../command.ts";

const SCHEMA_FILE = exoPath("schemas", "exopkg.schema.json");

export default defineCommand({
  name: "new",
  summary: "Create a package folder DIR/NAME from a template (cli, service or library) that builds and boots as it is.",
  positionals: [{ name: "NAME", description: "the package's name: lower-case letters, digits and '-', starting with a letter" }],
  flags: {
    template: {
      type: "string",
      value: "KIND",
      description:
        "cli (default): prints a line and exits 0; it has a task service, so installing it shows it run at boot.\n" +
        "service: a daemon that runs until init stops it.\n" +
        "library: src/NAME.c and include/NAME.h, for programs to link (dependencies.build); no service.",
    },
    dir: { type: "string", value: "DIR", description: "the folder to create the package in (default: the working folder): the package is DIR/NAME" },
  },
  async run({ values, positionals, usageError }) {
    const [name] = positionals as [string];
    const template = (values.template ?? "cli") as TemplateName;
    if (!TEMPLATES.includes(template)) throw usageError(`option --template expects one of ${TEMPLATES.join(", ")}, got '${values.template}'`);
    const checked = packageName.safeParse(name);
    if (!checked.success) {
      throw new ExoError("ERR_EXO_USAGE", `'${name}' is not a package name: ${checked.error.issues[0]!.message}`, "for example: exo new my-app");
    }
    const folder = resolve(values.dir ?? ".", name);
    const existing = await readdir(folder).catch((e: NodeJS.ErrnoException) => (e.code === "ENOENT" ? undefined : Promise.reject(notAFolder(folder, e))));
    if (existing && existing.length > 0) {
      throw new ExoError("ERR_EXO_USAGE", `${displayPath(folder)} already exists and is not empty`, "choose another name, or another folder with --dir; exo new never writes over files");
    }
    const files = templateFiles(template, name, relative(folder, SCHEMA_FILE).split("\\").join("/"));
    await writeFolder(folder, files);
    process.stdout.write(
      `created ${template} package ${name} in ${displayPath(folder)}: ${Object.keys(files).sort().join(", ")}\n` +
        (template === "library"
          ? `next: add \`${name}: ^0.1\` to a program's dependencies.build\n`
          : `next: exo install ./${displayPath(folder).replace(/^\.\//, "")} --profile PROFILE (or exo publish ${displayPath(folder)} --out DIR)\n`),
    );
    return 0;
  },
});

function notAFolder(folder: string, e: NodeJS.ErrnoException): ExoError {
  if (e.code === "ENOTDIR") return new ExoError("ERR_EXO_USAGE", `${displayPath(folder)} already exists and is not a folder`, "choose another name, or another folder with --dir");
  return new ExoError("ERR_EXO_FILE_SYSTEM", `${displayPath(folder)} cannot be read: ${e.message}`);
}

/** Write into a sibling scratch folder, then rename: a failure leaves no half-made package. */
async function writeFolder(folder: string, files: Record<string, string>): Promise<void> {
  await mkdir(dirname(folder), { recursive: true });
  const scratch = `${folder}.new-${process.pid}`;
  try {
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(scratch, path)), { recursive: true });
      await writeFile(join(scratch, path), text, { flag: "wx" });
    }
    // rename replaces an empty folder, and fails on one that filled meanwhile.
    await rename(scratch, folder).catch((e: NodeJS.ErrnoException) => {
      throw e.code === "ENOTEMPTY" || e.code === "EEXIST" ? new ExoError("ERR_EXO_USAGE", `${displayPath(folder)} was filled while the package was written`, "choose another name") : e;
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
