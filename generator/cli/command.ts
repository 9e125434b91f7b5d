// A command declares its flags and positionals once, each with a
// description; its usage line, its --help text (help.ts) and the options
// node:util's parseArgs checks all come from that declaration. A command is
// either a leaf that runs, or a group of subcommands (`exo store verify`),
// each a command of its own with its own flags and --help.
import { parseArgs } from "node:util";
import { ExoError } from "../errors.ts";
import { suggest } from "../eval/suggest.ts";
import { groupHelp, groupUsage, leafHelp, leafUsage } from "./help.ts";

/** A switch, or a flag with a value (`value` is its placeholder in help: `--store DIR`). */
export type Flag =
  | { readonly type: "boolean"; readonly description: string }
  | { readonly type: "string"; readonly value: string; readonly multiple?: boolean; readonly description: string };

export type Flags = Readonly<Record<string, Flag>>;

export interface Positional {
  readonly name: string;
  readonly description: string;
  readonly optional?: boolean;
  /** Takes every argument from here on (`N...`). */
  readonly variadic?: boolean;
}

export type FlagValues<F extends Flags> = {
  [K in keyof F]?: F[K] extends { type: "boolean" } ? boolean : F[K] extends { multiple: true } ? string[] : string;
};

export interface RunArgs<F extends Flags> {
  readonly values: FlagValues<F>;
  /** As many as `positionals` allows: checked before run is called. */
  readonly positionals: string[];
  /** A usage error whose hint is this command's usage line. */
  usageError(message: string): ExoError;
}

export interface LeafSpec<F extends Flags> {
  /** The words after `exo`: "build", or "store verify" for a subcommand. */
  readonly name: string;
  readonly summary: string;
  readonly positionals?: readonly Positional[];
  readonly flags: F;
  run(args: RunArgs<F>): Promise<number>;
}

export interface GroupSpec {
  readonly name: string;
  readonly summary: string;
  /** Each named by the word that selects it; its own name is the group's name and that word. */
  readonly subcommands: Readonly<Record<string, Command>>;
  /** The subcommand that runs when none is named: `exo generations` lists. */
  readonly default?: string;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Empty for a group: its subcommands have the flags. */
  readonly flags: Flags;
  readonly positionals: readonly Positional[];
  readonly subcommands: Readonly<Record<string, Command>>;
  readonly default?: string;
  /** `exo build PROFILE [options]`. */
  readonly usage: string;
  helpText(): string;
  invoke(argv: string[]): Promise<number>;
}

export function defineCommand<F extends Flags>(spec: LeafSpec<F>): Command;
export function defineCommand(spec: GroupSpec): Command;
export function defineCommand(spec: LeafSpec<Flags> | GroupSpec): Command {
  return "subcommands" in spec ? defineGroup(spec) : defineLeaf(spec);
}

function defineLeaf<F extends Flags>(spec: LeafSpec<F>): Command {
  if (Object.hasOwn(spec.flags, "help")) throw new Error(`exo ${spec.name}: --help is every command's; declare no flag of that name`);
  const positionals = spec.positionals ?? [];
  const usage = leafUsage(spec.name, positionals, spec.flags);
  const usageError = (message: string) => new ExoError("ERR_EXO_USAGE", message, `usage: ${usage}`);
  const options = Object.fromEntries(Object.entries(spec.flags).map(([name, f]) => [name, f.type === "string" ? { type: f.type, multiple: f.multiple === true } : { type: f.type }]));
  const command: Command = {
    name: spec.name,
    summary: spec.summary,
    flags: spec.flags,
    positionals,
    subcommands: {},
    usage,
    helpText: () => leafHelp(command),
    async invoke(argv) {
      let parsed;
      try {
        parsed = parseArgs({ args: argv, options: { ...options, help: { type: "boolean" } }, allowPositionals: true, strict: true });
      } catch (e) {
        throw usageError(`exo ${spec.name}: ${parseProblem(e, Object.keys(spec.flags))}`);
      }
      if (parsed.values.help) {
        process.stdout.write(`${command.helpText()}\n`);
        return 0;
      }
      checkPositionals(parsed.positionals, positionals, usageError);
      return spec.run({ values: parsed.values as FlagValues<F>, positionals: parsed.positionals, usageError });
    },
  };
  return command;
}

function defineGroup(spec: GroupSpec): Command {
  for (const [word, sub] of Object.entries(spec.subcommands)) {
    if (sub.name !== `${spec.name} ${word}`) throw new Error(`exo ${spec.name}: subcommand '${word}' is named '${sub.name}'`);
  }
  if (spec.default !== undefined && !Object.hasOwn(spec.subcommands, spec.default)) throw new Error(`exo ${spec.name}: no subcommand '${spec.default}' to default to`);
  const words = Object.keys(spec.subcommands);
  const usage = groupUsage(spec.name, spec.default !== undefined);
  const command: Command = {
    name: spec.name,
    summary: spec.summary,
    flags: {},
    positionals: [],
    subcommands: spec.subcommands,
    ...(spec.default !== undefined ? { default: spec.default } : {}),
    usage,
    helpText: () => groupHelp(command),
    async invoke(argv) {
      const [word, ...rest] = argv;
      if (word === "--help") {
        process.stdout.write(`${command.helpText()}\n`);
        return 0;
      }
      if (word !== undefined && Object.hasOwn(spec.subcommands, word)) return spec.subcommands[word]!.invoke(rest);
      const fallback = spec.default === undefined ? undefined : spec.subcommands[spec.default]!;
      // The default takes the whole command line, unless its first word can only be a subcommand misspelt.
      if (fallback && (word === undefined || word.startsWith("-") || fallback.positionals.length > 0)) return fallback.invoke(argv);
      if (word === undefined || word.startsWith("-")) {
        throw new ExoError("ERR_EXO_USAGE", `exo ${spec.name} needs a subcommand first: ${words.join(" or ")}`, `usage: ${usage}; \`exo ${spec.name} --help\` describes each`);
      }
      const near = suggest(word, words);
      const hint = near.length ? `did you mean ${near.map((w) => `\`exo ${spec.name} ${w}\``).join(" or ")}?` : `the subcommands are ${words.join(", ")}; \`exo ${spec.name} --help\` describes each`;
      throw new ExoError("ERR_EXO_USAGE", `exo ${spec.name}: unknown subcommand '${word}'`, hint);
    },
  };
  return command;
}

/** As many positionals as declared: a usage error naming the first one missing, or the first one too many. */
function checkPositionals(given: readonly string[], declared: readonly Positional[], usageError: (message: string) => ExoError): void {
  const required = declared.filter((p) => !p.optional).length;
  const most = declared.some((p) => p.variadic) ? Infinity : declared.length;
  if (given.length < required) throw usageError(`missing ${declared[given.length]!.name}`);
  if (given.length > most) throw usageError(`unexpected argument '${given[most]}'`);
}

export function parseCount(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new ExoError("ERR_EXO_USAGE", `option ${option} expects a whole number of at least 1, got '${value}'`);
  return n;
}

/** node:util's parseArgs messages in exo's words: the option, what is wrong, and no advice about `--`. */
function parseProblem(e: unknown, options: readonly string[]): string {
  const message = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: string }).code;
  const option = /'(-{1,2}[^']+)'/.exec(message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && option) return `unknown option ${option}; its options are ${[...options, "help"].map((o) => `--${o}`).join(", ")}`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && option) return `option ${option.split(" ")[0]} ${/argument missing/.test(message) ? "needs a value" : "takes no value"}`;
  return message;
}
