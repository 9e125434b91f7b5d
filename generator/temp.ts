// Temporary folders that never outlive the command: removed when the work
// is done or fails, and also when the process is stopped by SIGINT or
// SIGTERM, so a verifier that is interrupted leaves nothing behind.
import { chmodSync, lstatSync, readdirSync, rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const live = new Set<string>();
let handlersInstalled = false;

/**
 * Remove a folder whatever the tools left in it: xorriso restores an ISO's
 * read-only folder modes, which only root could delete from otherwise.
 */
function removeTree(dir: string): void {
  const open = (path: string) => {
    const info = lstatSync(path, { throwIfNoEntry: false });
    if (!info?.isDirectory()) return;
    chmodSync(path, 0o700);
    for (const name of readdirSync(path)) open(join(path, name));
  };
  open(dir);
  rmSync(dir, { recursive: true, force: true });
}

function removeAllAndExit(signal: NodeJS.Signals): void {
  for (const dir of live) removeTree(dir);
  live.clear();
  // The conventional status of a process ended by a signal: 128 + its number.
  process.exit(signal === "SIGINT" ? 130 : 143);
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => removeAllAndExit(signal));
  process.once("exit", () => {
    for (const dir of live) removeTree(dir);
  });
}

/** Run `work` with a fresh private folder, removed afterwards whatever happens. */
export async function withTempDir<T>(prefix: string, work: (dir: string) => Promise<T>): Promise<T> {
  installHandlers();
  const dir = await mkdtemp(join(tmpdir(), `exo-${prefix}-`));
  live.add(dir);
  try {
    return await work(dir);
  } finally {
    live.delete(dir);
    removeTree(dir);
  }
}
