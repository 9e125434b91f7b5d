// Run a tool for a builder: in a given folder, with an environment that
// cannot leak the machine's time zone, locale or clock into outputs.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { ExoError } from "../errors.ts";
import type { Tool } from "../toolchain.ts";

const run = promisify(execFile);

export interface RunOptions {
  readonly cwd: string;
  /** SOURCE_DATE_EPOCH for tools that stamp times (xorriso, mtools). */
  readonly epoch?: number;
  /** What the tool was doing, for the error message. */
  readonly what: string;
  readonly hint?: string;
  readonly log?: (line: string) => void;
}

export async function runTool(tool: Tool, args: readonly string[], opts: RunOptions): Promise<string> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? "/usr/bin:/bin", TZ: "UTC", LC_ALL: "C", LANG: "C" };
  if (opts.epoch !== undefined) env.SOURCE_DATE_EPOCH = String(opts.epoch);
  opts.log?.(`${tool.path.split("/").pop()} ${args.join(" ")}`);
  try {
    const { stdout, stderr } = await run(tool.path, [...args], { cwd: opts.cwd, env, maxBuffer: 64 << 20 });
    if (stderr.trim()) opts.log?.(stderr.trim());
    return stdout;
  } catch (e) {
    const stderr = ((e as { stderr?: string }).stderr ?? String(e)).trim();
    opts.log?.(stderr);
    throw new ExoError("ERR_EXO_BUILD_FAILED", `${opts.what} failed:\n${stderr}`, opts.hint);
  }
}
