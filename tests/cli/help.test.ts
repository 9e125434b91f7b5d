// Subcommands (issue 20): every command's --help is made from its declared
// flags and positionals, so each is listed with its description; a
// subcommand has only its own flags, and a misspelt one gets a near name.
import test from "ava";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Command } from "../../generator/cli/command.ts";
import { flagLabel } from "../../generator/cli/help.ts";
import { exo, REPO } from "../helpers/exo.ts";

const COMMANDS_DIR = join(REPO, "generator/cli/commands");
const files = readdirSync(COMMANDS_DIR).filter((f) => f.endsWith(".ts"));
const topLevel: Command[] = await Promise.all(files.map(async (f) => ((await import(pathToFileURL(join(COMMANDS_DIR, f)).href)) as { default: Command }).default));

/** Every command and subcommand, groups included. */
function walk(commands: readonly Command[]): Command[] {
  return commands.flatMap((c) => [c, ...walk(Object.values(c.subcommands))]);
}
const all = walk(topLevel);
const isGroup = (c: Command) => Object.keys(c.subcommands).length > 0;

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A row of a help table: the label, spaces, the description's first line; its further lines below, indented. */
function rowPattern(label: string, description: string): RegExp {
  const [first, ...more] = description.split("\n");
  return new RegExp([`^  ${escape(label)} +${escape(first!)}$`, ...more.map((line) => ` +${escape(line)}$`)].join("\n"), "m");
}

test("the commands are found, store and generations among them with their subcommands", (t) => {
  t.true(topLevel.length >= 15, `${topLevel.length} commands`);
  const names = all.map((c) => c.name);
  for (const name of ["build", "store verify", "store path-info", "generations list", "generations delete"]) t.true(names.includes(name), name);
});

test("exo --help lists every command with its summary", async (t) => {
  const r = await exo(["--help"]);
  t.is(r.code, 0);
  for (const c of topLevel) t.regex(r.stdout, rowPattern(c.name, c.summary));
});

for (const command of all.filter((c) => !isGroup(c))) {
  test(`exo ${command.name} --help lists each of its flags and arguments with its description`, async (t) => {
    for (const [name, flag] of Object.entries(command.flags)) t.true(typeof flag.description === "string" && flag.description.trim() !== "", `--${name} has no description`);
    for (const p of command.positionals) t.true(typeof p.description === "string" && p.description.trim() !== "", `${p.name} has no description`);
    const r = await exo([...command.name.split(" "), "--help"]);
    t.is(r.code, 0, r.stderr);
    t.true(r.stdout.startsWith(`usage: ${command.usage}\n`), r.stdout);
    for (const [name, flag] of Object.entries(command.flags)) t.regex(r.stdout, rowPattern(flagLabel(name, flag), flag.description));
    for (const p of command.positionals) t.regex(r.stdout, rowPattern(p.name, p.description));
    t.regex(r.stdout, /^ {2}--help +show this help$/m);
    // Its own flags and no others: one row each, and --help.
    const rows = r.stdout.split("\n").filter((line) => /^ {2}--/.test(line));
    t.is(rows.length, Object.keys(command.flags).length + 1, r.stdout);
  });
}

for (const group of all.filter(isGroup)) {
  test(`exo ${group.name} --help lists its subcommands with their summaries`, async (t) => {
    const r = await exo([...group.name.split(" "), "--help"]);
    t.is(r.code, 0, r.stderr);
    t.true(r.stdout.startsWith(`usage: exo ${group.name} `), r.stdout);
    for (const [word, sub] of Object.entries(group.subcommands)) t.regex(r.stdout, rowPattern(word, sub.summary));
  });
}

test("exo store verify --help and exo store path-info --help show only their own flags", async (t) => {
  const verify = await exo(["store", "verify", "--help"]);
  t.is(verify.code, 0);
  t.regex(verify.stdout, /^usage: exo store verify \[options\]$/m);
  t.regex(verify.stdout, /^ {2}--repair +delete the corrupt paths/m);
  t.notRegex(verify.stdout, /--closure|--size|PATH/);
  t.regex(verify.stdout, /exo\.store-verify\/v1/);
  const info = await exo(["store", "path-info", "--help"]);
  t.is(info.code, 0);
  t.regex(info.stdout, /^usage: exo store path-info PATH \[options\]$/m);
  t.regex(info.stdout, /^ {2}--closure +list the path/m);
  t.regex(info.stdout, /^ {2}--size +add the size/m);
  t.notRegex(info.stdout, /--repair/);
  t.notRegex(info.stdout, /store-verify/);
});

test("exo generations delete --help shows N and --older-than, not list's --json", async (t) => {
  const r = await exo(["generations", "delete", "--help"]);
  t.is(r.code, 0);
  t.regex(r.stdout, /^usage: exo generations delete \[N\.\.\.\] \[options\]$/m);
  t.regex(r.stdout, /^ {2}N +a generation number/m);
  t.regex(r.stdout, /^ {2}--older-than DAYS +every generation recorded more than DAYS days ago/m);
  t.notRegex(r.stdout, /--json/);
  const group = await exo(["generations", "--help"]);
  t.regex(group.stdout, /With no COMMAND, `exo generations` is `exo generations list`/);
});

test("a flag of another subcommand is that subcommand's unknown option", async (t) => {
  const r = await exo(["store", "path-info", "x", "--repair"]);
  t.is(r.code, 1);
  t.is(r.stdout, "");
  t.regex(r.stderr, /^error\[ERR_EXO_USAGE\]: exo store path-info: unknown option --repair; its options are --closure, --size, --store, --json, --help\nhint: usage: exo store path-info PATH \[options\]\n$/);
});

test("an unknown subcommand is a usage error; a near one is suggested, a far one is not", async (t) => {
  const near = await exo(["store", "verfy"]);
  t.is(near.code, 1);
  t.is(near.stderr, "error[ERR_EXO_USAGE]: exo store: unknown subcommand 'verfy'\nhint: did you mean `exo store verify`?\n");
  const far = await exo(["store", "frobnicate"]);
  t.is(far.code, 1);
  t.regex(far.stderr, /^error\[ERR_EXO_USAGE\]: exo store: unknown subcommand 'frobnicate'\nhint: /);
  t.notRegex(far.stderr, /did you mean/);
  const none = await exo(["store"]);
  t.is(none.code, 1);
  t.regex(none.stderr, /^error\[ERR_EXO_USAGE\]: exo store needs a subcommand first: verify or path-info\n/);
});
