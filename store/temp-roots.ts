// Temporary roots: the store paths a running process uses (reuses as an
// input, or has just produced), which gc must keep although no root reaches
// them yet. Each process writes them to a file of its own in temproots/,
// holding a lock on that file for as long as it lives (flock.ts); gc takes
// the names in every file whose lock is held, and removes the files of
// processes that have died. A name is written before the process checks the
// path is valid, so gc either sees it or has already marked it invalid.
import { rmSync } from "node:fs";
import { appendFile, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { type HeldLock, lockFile } from "./flock.ts";
import { exists } from "./fs.ts";

export class TempRoots {
  private constructor(
    private readonly file: string,
    private readonly lock: HeldLock,
  ) {}

  /** This process's temporary-roots file in `dir`, locked until the process ends. */
  static async open(dir: string): Promise<TempRoots> {
    for (;;) {
      const file = join(dir, `${process.pid}-${randomBytes(6).toString("hex")}`);
      const lock = await lockFile(file);
      // gc may have taken the file for a dead one's between its creation and our lock, and removed it.
      if (lock && (await exists(file))) {
        // A process that ends normally takes its file with it; gc removes those of processes that were killed.
        process.once("exit", () => rmSync(file, { force: true }));
        return new TempRoots(file, lock);
      }
      await lock?.release();
    }
  }

  async add(name: string): Promise<void> {
    await appendFile(this.file, `${name}\n`);
  }

  async close(): Promise<void> {
    await rm(this.file, { force: true });
    await this.lock.release();
  }
}

/** Every name in the temporary roots of live processes; the files of dead ones are removed. */
export async function liveTempRoots(dir: string): Promise<Set<string>> {
  const names = new Set<string>();
  for (const entry of (await readdir(dir).catch(() => [] as string[])).sort()) {
    const file = join(dir, entry);
    const probe = await lockFile(file);
    if (probe) {
      // Nobody holds it: its process is gone.
      await rm(file, { force: true });
      await probe.release();
      continue;
    }
    for (const line of (await readFile(file, "utf8").catch(() => "")).split("\n")) if (line) names.add(line);
  }
  return names;
}
