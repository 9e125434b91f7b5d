// The exo command line: parse the command name, call its module, and turn
// errors into messages. User errors exit 1 with message and hint; internal
// faults exit 2 with the stack.
import { readFileSync } from "node:fs";
import { isExoError } from "../errors.ts";
import { displayPath } from "../eval/paths.ts";
import { suggest } from "../eval/suggest.ts";
import type { Command } from "./command.ts";

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
  switch: () => import("./commands/switch.ts"),
  generations: () => import("./commands/generations.ts"),
  rollback: () => import("./commands/rollback.ts"),
  diff: () => import("./commands/diff.ts"),
};

function version(): string {
  return (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
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
  const args = argv.filter((a) => a !== "--show-trace");
  const [name, ...rest] = args;
  try {
    if (name === undefined || name === "--help" || name === "-h" || name === "help") {
      process.stdout.write(`${await usage()}\n`);
      return name === undefined ? 1 : 0;
    }
    if (name === "--version" || name === "-V") {
      process.stdout.write(`exo ${version()}\n`);
      return 0;
    }
    const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
    if (!load) {
      // Before: the whole help after the error. A near name is what a typo needs.
      const near = suggest(name, Object.keys(commands));
      const hint = near.length ? `did you mean ${near.map((c) => `\`exo ${c}\``).join(" or ")}?` : "`exo --help` lists the commands";
      process.stderr.write(`error: unknown command '${name}'\nhint: ${hint}\n`);
      return 1;
    }
    return await (await load()).default.invoke(rest);
  } catch (e) {
    const fault = fileFault(e);
    if (fault) {
      process.stderr.write(`error: ${fault.message}\nhint: ${fault.hint}\n`);
      if (showTrace) process.stderr.write(`${(e as Error).stack}\n`);
      return 1;
    }
    if (isExoError(e)) {
      process.stderr.write(`error: ${e.message}\n${e.hint ? `hint: ${e.hint}\n` : ""}`);
      if (showTrace) process.stderr.write(`${e.stack}\n`);
      return 1;
    }
    process.stderr.write(`internal error (a bug in exo; please report it):\n${e instanceof Error ? e.stack : String(e)}\n`);
    return 2;
  }
}

/**
 * Faults of the machine rather than of exo: a full disk, a read-only file
 * system, a permission. They are the user's to fix, so they get a message
 * naming the file and a hint, not a stack trace.
 */
function fileFault(e: unknown): { message: string; hint: string } | undefined {
  const err = e as NodeJS.ErrnoException;
  if (typeof err?.code !== "string" || typeof err.path !== "string") return undefined;
  const file = displayPath(err.path);
  switch (err.code) {
    case "ENOSPC":
    case "EDQUOT":
      return { message: `no space left to write ${file}`, hint: "free some space (`exo gc` deletes what no root reaches), then run the command again" };
    case "EROFS":
      return { message: `${file} is on a read-only file system`, hint: "use a store and project folder on a writable file system (--store DIR)" };
    case "EACCES":
    case "EPERM":
      return { message: `permission denied: ${file}`, hint: "check the owner and mode of that file or folder; a store belongs to the user who builds into it" };
    default:
      return undefined;
  }
}
