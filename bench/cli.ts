// How fast the command starts: exo run compiled ahead of time (dist/, the
// default once `npm run build` or the setup script made it) beside the same
// command run from its TypeScript sources (EXO_FROM_SOURCES=1, as in
// development), Node's own start, and Nix's evaluator on an empty workload.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { freshDist } from "../bin/compiled.mjs";
import { EXO, median, REPO, type Row } from "./exo.ts";

const RUNS = 7;

/** The median wall time of a whole process, over RUNS runs after one warm-up; throws if it fails. */
function wall(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): number {
  const times: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const started = performance.now();
    const r = spawnSync(command, args, { cwd, env: { ...process.env, ...env }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const ms = performance.now() - started;
    if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${r.stderr}`);
    if (i > 0) times.push(ms);
  }
  return median(times);
}

const exoWall = (args: readonly string[], cwd: string, fromSources = false) => wall(process.execPath, [EXO, ...args], cwd, fromSources ? { EXO_FROM_SOURCES: "1" } : {});

function nixEmpty(cwd: string): number | undefined {
  const probe = spawnSync("nix-instantiate", ["--version"], { encoding: "utf8" });
  if (probe.status !== 0) return undefined;
  return wall("nix-instantiate", ["--readonly-mode", "--eval", "--strict", "-E", "1"], cwd, { NIX_STATE_DIR: join(cwd, "nix-state"), NIX_STORE_DIR: join(cwd, "nix-store") });
}

export async function cliRows(dir: string): Promise<Row[]> {
  if ((await freshDist()) === undefined) throw new Error("dist/ is missing or older than the sources: run `npm run build` first");
  const server = join(REPO, "profiles/server.ts");
  const node = wall(process.execPath, ["-e", "0"], dir);
  const nix = nixEmpty(dir);
  const versus = (ms: number, sources: number, target: number) =>
    `from sources ${sources.toFixed(0)} ms (${(ms / sources).toFixed(2)}x); Node alone (node -e 0) ${node.toFixed(0)} ms; target ≤ ${target} ms: ${ms <= target ? "met" : "not met"}`;

  const version = exoWall(["--version"], dir);
  const eval_ = exoWall(["eval", server], dir);
  exoWall(["build", server], dir); // the store filled and the no-op record written
  const noop = exoWall(["build", server], dir);
  const nixNote = nix === undefined ? "Nix not installed (apt-get install nix-bin)" : `nix-instantiate --eval of \`1\`: ${nix.toFixed(0)} ms (${(eval_ / nix).toFixed(2)}x)`;
  return [
    { name: "exo --version", value: `${version.toFixed(0)} ms`, note: `compiled, median of ${RUNS}; ${versus(version, exoWall(["--version"], dir, true), 60)}` },
    { name: "exo eval profiles/server.ts (start)", value: `${eval_.toFixed(0)} ms`, note: `compiled, median of ${RUNS}; ${versus(eval_, exoWall(["eval", server], dir, true), 150)}; ${nixNote}` },
    { name: "exo build, no-op", value: `${noop.toFixed(0)} ms`, note: `answered from the no-op record before exo loads, median of ${RUNS}; Node alone ${node.toFixed(0)} ms; target ≤ 120 ms: ${noop <= 120 ? "met" : "not met"}` },
  ];
}
