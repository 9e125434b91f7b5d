// Locks that die with their holder. Node has no flock(2), so each lock is
// held by a small child: util-linux's `flock` holding the lock while it runs
// `cat` on a pipe from this process. When this process ends in any way
// (exit, crash, SIGKILL) the pipe closes, `cat` returns and the kernel
// releases the lock: no pid files, no stale locks, no reused pids.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";

export interface HeldLock {
  release(): Promise<void>;
}

export interface LockOptions {
  /** A shared (read) lock instead of an exclusive one. */
  readonly shared?: boolean;
  /** Wait for the lock; otherwise give up at once when it is held (undefined). */
  readonly wait?: boolean;
  /** Called once, when the lock is held by another and this call is about to wait. */
  readonly onWait?: () => void;
}

/** Take a lock on `file` (created if missing). */
export async function lockFile(file: string, opts: LockOptions = {}): Promise<HeldLock | undefined> {
  const now = await attempt(file, opts.shared === true, false);
  if (now || !opts.wait) return now;
  opts.onWait?.();
  return attempt(file, opts.shared === true, true);
}

async function attempt(file: string, shared: boolean, wait: boolean): Promise<HeldLock | undefined> {
  const args = [shared ? "-s" : "-x", ...(wait ? [] : ["-n"]), file, "sh", "-c", "echo held; exec cat >/dev/null"];
  const child = spawn("flock", args, { stdio: ["pipe", "pipe", "ignore"] });
  const exited = once(child, "exit").then(() => undefined);
  const failed = once(child, "error").then(([e]) => Promise.reject(e as Error));
  failed.catch(() => undefined); // an error after the race is over has nothing left to stop
  const held = await Promise.race([once(child.stdout!, "data").then(() => true), exited.then(() => false), failed]);
  if (!held) return undefined;
  detach(child);
  return {
    async release() {
      child.ref(); // keep this process alive until the lock is really gone
      child.stdin!.end();
      await exited;
    },
  };
}

/** The child must not keep this process alive: when it exits, the pipe closes and the lock goes. */
function detach(child: ChildProcess): void {
  child.unref();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  (child.stdout as unknown as { unref?: () => void }).unref?.();
  child.stdout!.resume();
}
