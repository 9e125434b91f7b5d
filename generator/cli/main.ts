// The exo command line: parse the command name, call its module, and turn
// errors into messages (report-error.ts): user errors exit 1 with
// `error[CODE]:` and `hint:`; internal faults exit 2 with the stack; --json
// adds the error as an exo.error/v1 object on stdout.
import { readFileSync } from "node:fs";
import { ExoError } from "../errors.ts";
import { COMPILED, exoPath } from "../exo-root.ts";
import { suggest } from "../eval/suggest.ts";
import type { Command } from "./command.ts";
import { setErrorPrinter } from "../eval/watchdog.ts";
import { describeError, reportError } from "./report-error.ts";

// Loaded on demand: a command pays only for the modules it uses.
const commands: Readonly<Record<string, () => Promise<{ default: Command }>>> = {
  eval: () => import("./commands/eval.ts"),
  explain: () => import("./commands/explain.ts"),
  options: () => import("./commands/options.ts"),
  build: () => import("./commands/build.ts"),
  run: () => import("./commands/run.ts"),
  keygen: () => import("./commands/keygen.ts"),
  verify: () => import("./commands/verify.ts"),
  sign: () => import("./commands/sign.ts"),
  sbom: () => import("./commands/sbom.ts"),
  store: () => import("./commands/store.ts"),
  gc: () => import("./commands/gc.ts"),
  push: () => import("./commands/push.ts"),
  pull: () => import("./commands/pull.ts"),
  copy: () => import("./commands/copy.ts"),
  switch: () => import("./commands/switch.ts"),
  generations: () => import("./commands/generations.ts"),
  rollback: () => import("./commands/rollback.ts"),
  diff: () => import("./commands/diff.ts"),
  search: () => import("./commands/search.ts"),
  show: () => import("./commands/show.ts"),
  new: () => import("./commands/new.ts"),
  publish: () => import("./commands/publish.ts"),
  install: () => import("./commands/install.ts"),
  remove: () => import("./commands/remove.ts"),
};

function version(): string {
  return (JSON.parse(readFileSync(exoPath("package.json"), "utf8")) as { version: string }).version;
}

async function usage(): Promise<string> {
  const loaded = await Promise.all(Object.values(commands).map(async (load) => (await load()).default));
  const width = Math.max(...loaded.map((c) => c.name.length));
  return [
    "usage: exo COMMAND [options]",
    "",
    "Exo composes a typed, signed, bootable OS image from a profile.",
    "",
    "commands:",
    ...loaded.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "`exo COMMAND --help` describes each command; `exo --version` prints the version.",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const showTrace = argv.includes("--show-trace");
  // --json asks for JSON on stdout whatever happens, an error included (before `--` only: after it is an argument).
  const end = argv.indexOf("--");
  const json = (end === -1 ? argv : argv.slice(0, end)).includes("--json");
  const args = argv.filter((a) => a !== "--show-trace");
  const [name, ...rest] = args;
  // The evaluation watchdog reports a profile that never ends from its own thread, in the same form.
  setErrorPrinter((e) => {
    const report = describeError(e, { showTrace });
    return { stderr: report.text, stdout: json ? `${JSON.stringify(report.json)}\n` : "" };
  });
  try {
    if (name === undefined || name === "--help" || name === "-h" || name === "help") {
      process.stdout.write(`${await usage()}\n`);
      return name === undefined ? 1 : 0;
    }
    if (name === "--version" || name === "-V") {
      // Run from sources (no dist/, or one older than them) says so: that is the slow way to start.
      process.stdout.write(`exo ${version()}${COMPILED ? "" : " (from sources)"}\n`);
      return 0;
    }
    const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
    if (!load) {
      // Before: the whole help after the error. A near name is what a typo needs.
      const near = suggest(name, Object.keys(commands));
      const hint = near.length ? `did you mean ${near.map((c) => `\`exo ${c}\``).join(" or ")}?` : "`exo --help` lists the commands";
      throw new ExoError("ERR_EXO_USAGE", `unknown command '${name}'`, hint);
    }
    return await (await load()).default.invoke(rest);
  } catch (e) {
    return reportError(e, { showTrace, json });
  }
}
