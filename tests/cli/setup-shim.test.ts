// scripts/setup.sh puts `exo` on PATH as `npm link` would: a link to
// bin/exo.js in $EXO_BIN_DIR (here a temporary folder), made again only when
// it points elsewhere, and never over a file or a link that is not exo's.
import test from "ava";
import { execFile } from "node:child_process";
import { lstat, mkdtemp, readFile, readlink, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "../helpers/exo.ts";

function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(file, args, { cwd: REPO, env: { ...process.env, ...env }, timeout: 170_000 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === "number" ? error.code : 99) : 0, stdout, stderr });
    });
  });
}

test("setup links exo into the bin folder, and the link runs the CLI", async (t) => {
  const bin = await mkdtemp(join(tmpdir(), "exo-bin-"));
  const setup = await run("bash", ["scripts/setup.sh"], { EXO_BIN_DIR: bin });
  t.is(setup.code, 0, setup.stderr);
  t.is(await readlink(join(bin, "exo")), join(REPO, "bin/exo.js"));
  const version = await run(join(bin, "exo"), ["--version"]);
  t.is(version.code, 0, version.stderr);
  t.regex(version.stdout, /^exo \d+\.\d+\.\d+/);
  const before = await lstat(join(bin, "exo"));
  const again = await run("bash", ["scripts/setup.sh"], { EXO_BIN_DIR: bin });
  t.is(again.code, 0, again.stderr);
  t.is((await lstat(join(bin, "exo"))).ino, before.ino, "an up-to-date link is left as it is");
});

test("setup leaves a file or a foreign link named exo alone, and says so", async (t) => {
  const file = await mkdtemp(join(tmpdir(), "exo-bin-"));
  await writeFile(join(file, "exo"), "#!/bin/sh\necho another exo\n");
  const kept = await run("bash", ["scripts/setup.sh"], { EXO_BIN_DIR: file });
  t.is(kept.code, 0, kept.stderr);
  t.regex(kept.stderr, /exists and is not a link; leaving it/);
  t.is(await readFile(join(file, "exo"), "utf8"), "#!/bin/sh\necho another exo\n");
  const foreign = await mkdtemp(join(tmpdir(), "exo-bin-"));
  await symlink("/usr/bin/true", join(foreign, "exo"));
  const left = await run("bash", ["scripts/setup.sh"], { EXO_BIN_DIR: foreign });
  t.regex(left.stderr, /links to \/usr\/bin\/true, not to an exo checkout/);
  t.is(await readlink(join(foreign, "exo")), "/usr/bin/true");
});
