// Errors as a new user meets them (issue 20): each names what is wrong in
// exo's own words, with a hint that leads somewhere.
import test from "ava";
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { exo, fixture, tempProject } from "../helpers/exo.ts";

const dirP = tempProject({ sharedStore: true });

const cases: [string, string[], RegExp][] = [
  // Before: "Unknown option '--foo'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- "--foo"" (a broken quote).
  ["an unknown flag", ["build", "x.ts", "--foo"], /^error\[ERR_EXO_USAGE\]: exo build: unknown option --foo; its options are --store, .*--help\nhint: usage: exo build /],
  ["a flag without its value", ["build", "x.ts", "--store"], /^error\[ERR_EXO_USAGE\]: exo build: option --store needs a value\n/],
  ["a value given to a switch", ["build", "x.ts", "--json=yes"], /^error\[ERR_EXO_USAGE\]: exo build: option --json takes no value\n/],
  // Before: "result has no floppy image; it has: bundle / hint: add the format to image.formats".
  ["a format that does not exist", ["run", "result", "--format", "floppy"], /^error\[ERR_EXO_USAGE\]: option --format: unknown format 'floppy'\nhint: the formats are bundle, kernel, iso, raw\n/],
];

for (const [name, args, expected] of cases) {
  test(`${name} is named in exo's words`, async (t) => {
    const r = await exo(args, { cwd: await dirP });
    t.is(r.code, 1, r.stderr);
    t.regex(r.stderr, expected);
  });
}

test("random bytes named .iso are not 'unsigned': they are refused for what they are", async (t) => {
  const dir = await dirP;
  await writeFile(join(dir, "random.iso"), randomBytes(64 << 10));
  const r = await exo(["verify", "random.iso", "--project", "."], { cwd: dir });
  t.is(r.code, 1);
  t.notRegex(r.stderr, /unsigned/);
  t.regex(r.stderr, /^error\[ERR_EXO_VERIFY\]: random\.iso: no signed image\.json lists it/);
});

test("rollback --to a generation that was never made says it does not exist", async (t) => {
  const dir = await tempProject({ sharedStore: true });
  t.is((await exo(["switch", fixture("bundle-only.ts")], { cwd: dir })).code, 0);
  const r = await exo(["rollback", "--to", "5"], { cwd: dir });
  t.is(r.code, 1);
  // Before: "generation 5 is not older than the current generation 1".
  t.regex(r.stderr, /^error\[ERR_EXO_GENERATION\]: generation 5 does not exist .*generations: 1\nhint: /);
});

test("a misspelt command gets a near name, not the whole help", async (t) => {
  // Before: "error: unknown command 'buidl'" followed by the full usage text.
  const r = await exo(["buidl"], { cwd: await dirP });
  t.is(r.code, 1);
  t.is(r.stderr, "error[ERR_EXO_USAGE]: unknown command 'buidl'\nhint: did you mean `exo build`?\n");
  const far = await exo(["xyzzy"], { cwd: await dirP });
  t.is(far.stderr, "error[ERR_EXO_USAGE]: unknown command 'xyzzy'\nhint: `exo --help` lists the commands\n");
});

test("a subcommand takes only its own flags", async (t) => {
  const dir = await dirP;
  // Before: `exo store path-info result --repair` ran, ignoring --repair.
  const r = await exo(["store", "path-info", "result", "--repair"], { cwd: dir });
  t.is(r.code, 1);
  t.regex(r.stderr, /^error\[ERR_EXO_USAGE\]: exo store path-info: unknown option --repair; its options are --closure, --size, --store, --json, --help\nhint: usage: exo store path-info PATH /);
  const g = await exo(["generations", "delete", "3", "--json"], { cwd: dir });
  t.is(g.code, 1);
  t.regex(g.stderr, /^error\[ERR_EXO_USAGE\]: exo generations delete: unknown option --json; its options are --older-than, /);
});
