// One lock per derivation key, so that concurrent `exo build` processes on
// one store never build the same derivation at the same time. A lock is a
// file created exclusively, holding its owner's pid; a lock whose owner has
// died (kill -9) is stale and taken over. Even if two processes ever did
// build the same derivation, Store.add keeps the first identical result,
// so the lock guards speed, not correctness.
import { open, readFile, rm } from "node:fs/promises";
import { isAlive, isCode, type Store } from "./store.ts";

const POLL_MS = 40;

export async function acquireLock(store: Store, key: string, onWait?: () => void): Promise<() => Promise<void>> {
  const file = store.lockFile(key);
  let waited = false;
  for (;;) {
    try {
      const handle = await open(file, "wx");
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return () => rm(file, { force: true });
    } catch (e) {
      if (!isCode(e, "EEXIST")) throw e;
    }
    const owner = Number((await readFile(file, "utf8").catch(() => "")).trim());
    if (owner && !isAlive(owner)) {
      await rm(file, { force: true }); // stale: its owner is gone
      continue;
    }
    if (!waited) {
      waited = true;
      onWait?.();
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
