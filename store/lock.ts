// One lock per derivation key, so that concurrent `exo build` processes on
// one store never build the same derivation at the same time. The lock is
// an flock held by a child of the builder (flock.ts), so it goes with its
// holder however that ends: no stale lock is ever taken over, and a pid
// reused after a crash means nothing. The caller looks the key up again
// once it holds the lock. Even if two processes ever did build the same
// derivation, Store.add keeps the first identical result, so the lock
// guards speed, not correctness.
import { lockFile } from "./flock.ts";
import type { Store } from "./store.ts";

export async function acquireLock(store: Store, key: string, onWait?: () => void): Promise<() => Promise<void>> {
  await store.requireWritable("a build");
  const held = await lockFile(store.lockFile(key), { wait: true, ...(onWait ? { onWait } : {}) });
  if (!held) throw new Error(`the build lock of ${key} could not be taken`);
  return () => held.release();
}
