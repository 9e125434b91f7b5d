// Trust never comes from the folder being checked: a downloaded folder that
// carries its own exo.config.ts and key is refused, and its config is not
// even run; keys come from the project (--project or the working folder),
// --trusted, or the system-wide folder.
import test from "ava";
import { access, copyFile, cp, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exo, fixture, tempProject } from "../helpers/exo.ts";
import { Tally } from "./corpus.ts";

const tally = new Tally();
let evil = "";
let marker = "";
let own = "";

test.before(async () => {
  // The attacker's project: its own key, and an image it signed.
  const attacker = await tempProject({ sharedStore: true });
  const built = await exo(["build", fixture("bundle-only.ts")], { cwd: attacker });
  if (built.code !== 0) throw new Error(built.stderr);
  // What the victim downloads: the image, the attacker's public key, and a config that trusts it and runs code.
  evil = await mkdtemp(join(tmpdir(), "exo-download-"));
  marker = join(evil, "config-ran");
  await cp(join(attacker, "result"), join(evil, "image"), { recursive: true, dereference: true });
  await mkdir(join(evil, "keys"));
  await writeFile(join(evil, "package.json"), `{ "type": "module", "private": true }\n`);
  await copyFile(join(attacker, "keys/test.pub"), join(evil, "keys/attacker.pub"));
  await writeFile(
    join(evil, "exo.config.ts"),
    `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(marker)}, "ran");\nexport default { keys: { trusted: ["keys/attacker.pub"] } };\n`,
  );
  own = await tempProject({ sharedStore: true });
});

test.after.always((t) => {
  for (const line of tally.lines()) t.log(line);
});

const ran = () => access(marker).then(() => true, () => false);

test.serial("inside the downloaded folder, its own config is refused and never run", async (t) => {
  for (const command of [["verify", "image"], ["run", "image"], ["sbom", "image"]]) {
    const r = await exo(command, { cwd: evil });
    tally.add("trust anchors", r.code === 1);
    t.is(r.code, 1, `${command.join(" ")}: ${r.stderr}`);
    t.regex(r.stderr, /^error\[ERR_EXO_VERIFY\]: exo\.config\.ts is not trusted to check image: the image lies in that config's own folder tree, and trust never comes from the folder being checked\nhint: run exo from your own project \(or pass --project DIR\), or name the signer's public key with --trusted KEY\n$/);
    t.false(await ran(), `${command.join(" ")} ran the downloaded exo.config.ts`);
  }
});

test.serial("from the user's own project, the downloaded image is signed by a key nobody trusts", async (t) => {
  const r = await exo(["verify", join(evil, "image")], { cwd: own });
  tally.add("trust anchors", r.code === 1);
  t.is(r.code, 1);
  t.regex(r.stderr, /image\.sig: signed by key [0-9a-f]{16}, which is not among the trusted keys/);
  t.false(await ran());
});

test.serial("trust given on purpose is taken: --trusted, --project, and the system-wide folder", async (t) => {
  const trusted = await exo(["verify", "image", "--trusted", "keys/attacker.pub"], { cwd: evil });
  t.is(trusted.code, 0, trusted.stderr);
  t.false(await ran(), "--trusted needs no config, so none is run");
  const system = await mkdtemp(join(tmpdir(), "exo-system-keys-"));
  await copyFile(join(evil, "keys/attacker.pub"), join(system, "vendor.pub"));
  const wide = await exo(["verify", join(evil, "image")], { cwd: own, env: { EXO_SYSTEM_KEYS: system } });
  t.is(wide.code, 0, wide.stderr);
  const project = await exo(["verify", "image", "--project", "."], { cwd: evil });
  t.is(project.code, 0, project.stderr);
  t.true(await ran(), "--project names the config to trust, which then runs");
  const missing = await exo(["verify", "image", "--project", own + "/nowhere"], { cwd: evil });
  t.is(missing.code, 1);
  t.regex(missing.stderr, /option --project: .* holds no exo\.config\.ts/);
});
