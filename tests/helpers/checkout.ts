// A copy of the repository (every tracked and untracked file that is not
// ignored, node_modules linked) for tests that edit exo's own sources or
// run its build step, so the suite's own exo is never touched.
import { execFile } from "node:child_process";
import { cp, mkdtemp, stat, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "./exo.ts";

export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 64 << 20, timeout: 400_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 99) : 0, stdout, stderr });
    });
  });
}

/** The copy; with `compiled`, exo is also compiled ahead of time in it (dist/), as the setup script does. */
export async function checkout(opts: { compiled?: boolean } = {}): Promise<string> {
  const target = await mkdtemp(join(tmpdir(), "exo-checkout-"));
  const files = (await run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], REPO)).stdout.split("\0").filter(Boolean);
  for (const file of files) {
    if ((await stat(join(REPO, file)).catch(() => null))?.isFile()) await cp(join(REPO, file), join(target, file));
  }
  await symlink(join(REPO, "node_modules"), join(target, "node_modules"));
  if (opts.compiled) {
    const built = await run(process.execPath, ["scripts/build-cli.mjs"], target);
    if (built.code !== 0) throw new Error(`scripts/build-cli.mjs failed in the copy: ${built.stderr}`);
  }
  return target;
}

/** Run the copy's own exo, so the copy's sources (or its dist/) are the ones that run. */
export function exoIn(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return run(process.execPath, [join(cwd, "bin/exo.js"), ...args], cwd, env);
}
