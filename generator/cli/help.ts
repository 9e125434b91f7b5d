// The usage line and --help text of a command, made from its declared
// flags, positionals and subcommands (command.ts): aligned columns, a
// description's further lines under its first.
import type { Command, Flag, Flags, Positional } from "./command.ts";

const HELP_FLAG: Flag = { type: "boolean", description: "show this help" };

export function leafUsage(name: string, positionals: readonly Positional[], flags: Flags): string {
  const words = positionals.map((p) => {
    const word = p.variadic ? `${p.name}...` : p.name;
    return p.optional ? `[${word}]` : word;
  });
  return ["exo", name, ...words, ...(Object.keys(flags).length ? ["[options]"] : [])].join(" ");
}

export function groupUsage(name: string, hasDefault: boolean): string {
  return `exo ${name} ${hasDefault ? "[COMMAND]" : "COMMAND"} [options]`;
}

/** The left column of a flag: `--store DIR`, `--trusted KEY...`. */
export function flagLabel(name: string, flag: Flag): string {
  return flag.type === "boolean" ? `--${name}` : `--${name} ${flag.value}${flag.multiple ? "..." : ""}`;
}

export function leafHelp(command: Command): string {
  const flags: [string, string][] = Object.entries({ ...command.flags, help: HELP_FLAG }).map(([name, f]) => [flagLabel(name, f), f.description]);
  const args: [string, string][] = command.positionals.map((p) => [p.name, p.description]);
  const width = Math.max(...[...flags, ...args].map(([label]) => label.length));
  return [
    `usage: ${command.usage}`,
    "",
    command.summary,
    ...(args.length ? ["", "arguments:", ...table(args, width)] : []),
    "",
    "options:",
    ...table(flags, width),
  ].join("\n");
}

export function groupHelp(command: Command): string {
  const rows: [string, string][] = Object.entries(command.subcommands).map(([word, sub]) => [word, sub.summary]);
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    `usage: ${command.usage}`,
    "",
    command.summary,
    "",
    "commands:",
    ...table(rows, width),
    "",
    ...(command.default !== undefined ? [`With no COMMAND, \`exo ${command.name}\` is \`exo ${command.name} ${command.default}\`.`] : []),
    `\`exo ${command.name} COMMAND --help\` describes each command and its options.`,
  ].join("\n");
}

/** Two aligned columns; a description's further lines start under its first. */
function table(rows: readonly (readonly [string, string])[], width: number): string[] {
  return rows.flatMap(([label, description]) => description.split("\n").map((line, i) => `  ${(i === 0 ? label : "").padEnd(width)}  ${line}`.trimEnd()));
}
