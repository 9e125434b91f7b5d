// What every benchmark section shares: the repository, a row of the results
// table, and `exo` run as a whole process the way a user runs it.
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const EXO = join(REPO, "bin/exo.js");

export interface Row {
  readonly name: string;
  readonly value: string;
  readonly note: string;
}

/** Run `exo ARGS` in `cwd`; throws with its output when it fails. */
export function timed(args: readonly string[], cwd: string): { ms: number; stdout: string; stderr: string } {
  const started = performance.now();
  const r = spawnSync(process.execPath, [EXO, ...args], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`exo ${args.join(" ")} failed:\n${r.stderr}${r.stdout}`);
  return { ms, stdout: r.stdout, stderr: r.stderr };
}

export const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
