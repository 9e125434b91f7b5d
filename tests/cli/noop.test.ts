// The no-op cache: a repeated build is answered from file stamps, and any
// changed input sends it back to the real build.
import test from "ava";
import { readdir, readlink, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { exo, fixture, tempProject } from "../helpers/exo.ts";

const profileYaml = (slots: number) => `imports:\n  - ${JSON.stringify(fixture("bundle-only.ts"))}\nkernel:\n  ipc:\n    ringSlots: ${slots}\n`;

test("a repeated build is answered at once, and a changed profile is built for real", async (t) => {
  const dir = await tempProject();
  await writeFile(join(dir, "p.yaml"), profileYaml(1024));
  const first = await exo(["build", "p.yaml"], { cwd: dir });
  t.is(first.code, 0, first.stderr);
  t.regex(first.stderr, /built \d+ derivations/);
  t.is((await readdir(join(dir, ".exo/noop"))).length, 1, "the build was remembered");

  await rm(join(dir, "result"));
  const again = await exo(["build", "p.yaml"], { cwd: dir });
  t.is(again.code, 0, again.stderr);
  t.regex(again.stderr, /nothing to build/);
  t.is(again.stdout, first.stdout);
  t.true((await readlink(join(dir, "result"))).endsWith(first.stdout.trim()), "the result link is made again");
  // Link and root in place: answered by bin/noop-record.mjs, before tsx starts.
  const third = await exo(["build", "p.yaml"], { cwd: dir });
  t.regex(third.stderr, /^nothing to build: all \d+ derivations reused from the store\n$/);
  t.is(third.stdout, first.stdout);

  await writeFile(join(dir, "p.yaml"), profileYaml(2048));
  const changed = await exo(["build", "p.yaml", "--json"], { cwd: dir });
  t.true(changed.stdout.includes('"type":"built"'), "a changed YAML profile is built, not answered from the record");
  const after = await exo(["build", "p.yaml"], { cwd: dir });
  t.not(after.stdout, first.stdout, "the new result, not the remembered one");
  t.regex(after.stderr, /built \d+ derivations|nothing to build/);
});
