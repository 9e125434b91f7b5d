// Bad input to the generation commands, in a project with no generations
// (no builds): each is a user error with a message and a hint, exit 1.
import test from "ava";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { exo, tempProject } from "../helpers/exo.ts";

const dirP = tempProject();

const cases: [string, string[], RegExp][] = [
  ["unknown generation in diff", ["diff", "1", "2"], /^error\[ERR_EXO_GENERATION\]: generation 1 does not exist .*there are no generations yet\nhint: /],
  ["rollback with no current generation", ["rollback"], /^error\[ERR_EXO_GENERATION\]: there is no current generation yet\nhint: /],
  ["switch --generation with a non-number", ["switch", "--generation", "abc"], /^error\[ERR_EXO_USAGE\]: 'abc' is not a generation number\n/],
  ["switch --generation with a profile too", ["switch", "x.yaml", "--generation", "1"], /--generation N takes no PROFILE/],
  ["switch without a profile", ["switch"], /^error\[ERR_EXO_USAGE\]: missing PROFILE\n/],
  ["delete without numbers", ["generations", "delete"], /needs generation numbers or --older-than DAYS/],
  ["delete an unknown generation", ["generations", "delete", "3"], /generation 3 does not exist/],
  ["delete --older-than a non-number", ["generations", "delete", "--older-than", "soon"], /--older-than expects a number of days/],
  ["unknown generations subcommand", ["generations", "remove"], /unknown subcommand 'remove'/],
  ["diff with one side", ["diff", "1"], /^error\[ERR_EXO_USAGE\]: missing B\n/],
  ["run an unknown generation", ["run", "--generation", "4"], /generation 4 does not exist/],
];

for (const [name, args, expected] of cases) {
  test(`${name} is a user error`, async (t) => {
    const run = await exo(args, { cwd: await dirP });
    t.is(run.code, 1, run.stderr);
    t.regex(run.stderr, expected);
    t.false(run.stderr.includes("    at "), "no stack trace");
  });
}

test("an empty project lists no generations", async (t) => {
  const run = await exo(["generations", "--json"], { cwd: await dirP });
  t.is(run.code, 0);
  t.deepEqual(JSON.parse(run.stdout), { schema: "exo.generations/v1", current: null, generations: [] });
});

test("a damaged generation record is a user error naming the file, not a crash", async (t) => {
  const dir = await tempProject();
  await mkdir(join(dir, ".exo/generations"), { recursive: true });
  await writeFile(join(dir, ".exo/generations/1.json"), '{ "schema": "exo.generation/v1", "number": 1, "stor');
  for (const args of [["generations"], ["run", "--generation", "1"], ["diff", "1", "1"]]) {
    const run = await exo(args, { cwd: dir });
    t.is(run.code, 1, `${args.join(" ")}: ${run.stderr}`);
    t.regex(run.stderr, /^error\[ERR_EXO_GENERATION\]: the generation record .*\.exo\/generations\/1\.json is damaged: .*\nhint: restore it from a backup, or drop generation 1 with `exo generations delete 1`\n/);
  }
});
