// Run the real `exo` command as a user would, in a temporary project.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const EXO_BIN = join(REPO, "bin/exo.js");

export interface ExoRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function exo(args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<ExoRun> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [EXO_BIN, ...args],
      { cwd: opts.cwd ?? REPO, env: { ...process.env, ...opts.env }, timeout: opts.timeoutMs ?? 170_000, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 99) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

/**
 * A temporary project: its own exo.config.ts and key pair, and its own store;
 * or, with `sharedStore`, a `store` link to the one store all such projects
 * of this run share, as one user's projects share theirs: what another test
 * built is reused (the kernel, whose key no signing key enters), and only the
 * payload and image, signed with this project's key, are built again. Only
 * for tests that neither count what was built nor damage or collect the store.
 */
export async function tempProject(opts: { sharedStore?: boolean } = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "exo-test-"));
  await writeFile(join(dir, "package.json"), `{ "type": "module", "private": true }\n`);
  await writeFile(
    join(dir, "exo.config.ts"),
    `export default { store: "store", keys: { secretKey: "keys/test.key", trusted: ["keys/test.pub"] } };\n`,
  );
  if (opts.sharedStore) {
    const shared = join(tmpdir(), "exo-test-shared-store");
    await mkdir(shared, { recursive: true });
    await symlink(shared, join(dir, "store"));
  }
  const keygen = await exo(["keygen"], { cwd: dir });
  if (keygen.code !== 0) throw new Error(`keygen failed: ${keygen.stderr}`);
  return dir;
}

export const profile = (name: string): string => join(REPO, "profiles", name);
export const fixture = (name: string): string => join(REPO, "tests/fixtures", name);
