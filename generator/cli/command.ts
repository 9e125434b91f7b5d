// A command is a small module with its own options and help text; this
// file parses argv for it with node:util's parseArgs and turns parse
// failures into usage errors.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { ExoError } from "../errors.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

export interface CommandSpec<O extends Options> {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** Lines describing each option, shown by --help. */
  readonly help: readonly string[];
  readonly options: O;
  run(args: { values: ParsedValues<O>; positionals: string[] }): Promise<number>;
}

export type ParsedValues<O extends Options> = {
  [K in keyof O]?: O[K] extends { type: "boolean" } ? boolean : O[K] extends { multiple: true } ? string[] : string;
};

export interface Command {
  readonly name: string;
  readonly summary: string;
  helpText(): string;
  invoke(argv: string[]): Promise<number>;
}

export function defineCommand<O extends Options>(spec: CommandSpec<O>): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    helpText: () => [`usage: exo ${spec.usage}`, "", spec.summary, "", "options:", ...spec.help.map((l) => `  ${l}`), "  --help              show this help"].join("\n"),
    async invoke(argv) {
      let parsed;
      try {
        parsed = parseArgs({ args: argv, options: { ...spec.options, help: { type: "boolean" } }, allowPositionals: true, strict: true });
      } catch (e) {
        throw new ExoError("ERR_EXO_USAGE", `exo ${spec.name}: ${parseProblem(e, Object.keys(spec.options))}`, `usage: exo ${spec.usage}`);
      }
      if ((parsed.values as { help?: boolean }).help) {
        process.stdout.write(`${this.helpText()}\n`);
        return 0;
      }
      return spec.run({ values: parsed.values as ParsedValues<O>, positionals: parsed.positionals });
    },
  };
}

/** Exactly `count` positionals, or a usage error naming what is missing. */
export function expectPositionals(positionals: string[], names: readonly string[], usage: string, optional = 0): string[] {
  if (positionals.length < names.length - optional || positionals.length > names.length) {
    const missing = positionals.length < names.length - optional;
    throw new ExoError("ERR_EXO_USAGE", missing ? `missing ${names[positionals.length]}` : `unexpected argument '${positionals[names.length]}'`, `usage: exo ${usage}`);
  }
  return positionals;
}

export function parseCount(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new ExoError("ERR_EXO_USAGE", `option ${option} expects a whole number of at least 1, got '${value}'`);
  return n;
}

/** A subcommand takes only its own flags: `exo store path-info result --repair` is an error, not silently accepted. */
export function onlyFlags(command: string, values: Readonly<Record<string, unknown>>, allowed: readonly string[], usage: string): void {
  const stray = Object.keys(values).filter((flag) => values[flag] !== undefined && !allowed.includes(flag)).sort();
  if (stray.length) {
    throw new ExoError("ERR_EXO_USAGE", `exo ${command} takes no ${stray.map((f) => `--${f}`).join(", ")}; its options are ${allowed.map((f) => `--${f}`).join(", ")}`, `usage: exo ${usage}`);
  }
}

/** node:util's parseArgs messages in exo's words: the option, what is wrong, and no advice about `--`. */
function parseProblem(e: unknown, options: readonly string[]): string {
  const message = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: string }).code;
  const option = /'(-{1,2}[^']+)'/.exec(message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && option) return `unknown option ${option}; its options are ${options.map((o) => `--${o}`).join(", ")}, --help`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && option) return `option ${option.split(" ")[0]} ${/argument missing/.test(message) ? "needs a value" : "takes no value"}`;
  return message;
}
