// A time limit on evaluation. A profile is code: `while (true) {}` at its
// top level, in a config function or in an mkIf condition never returns,
// and a synchronous loop cannot be interrupted from its own thread. So the
// CLI arms a watchdog thread; when the limit passes it prints the error and
// stops the main thread through the inspector protocol (which V8 serves by
// interrupting running JavaScript), then the process exits with status 1.
// Evaluation itself stays in the main thread: no second copy of tsx, zod
// and the modules to load, and the Evaluation keeps its zod types.
import { isMainThread, Worker } from "node:worker_threads";
import { ExoError } from "../errors.ts";
import { EVAL_TIMEOUT_DEFAULT_SECONDS } from "./limits.ts";
import { displayPath } from "./paths.ts";

/** Seconds the next evaluations may take; undefined: no limit (library use, tests). */
let limitSeconds: number | undefined;

/**
 * Arm the limit for this process's evaluations: `flag` (--eval-timeout), else
 * EXO_EVAL_TIMEOUT, else EVAL_TIMEOUT_DEFAULT_SECONDS. Called by the commands that evaluate.
 */
export function setEvalTimeout(flag: string | undefined): void {
  const env = process.env.EXO_EVAL_TIMEOUT;
  const [text, source] = flag !== undefined ? [flag, "option --eval-timeout"] : env !== undefined && env !== "" ? [env, "EXO_EVAL_TIMEOUT"] : [undefined, ""];
  if (text === undefined) {
    limitSeconds = EVAL_TIMEOUT_DEFAULT_SECONDS;
    return;
  }
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 2_000_000) {
    throw new ExoError("ERR_EXO_USAGE", `${source} expects a number of seconds above 0, got '${text}'`, `the default is ${EVAL_TIMEOUT_DEFAULT_SECONDS} s`);
  }
  limitSeconds = seconds;
}

/** How the CLI reports an error: the text for stderr, and what goes to stdout (the --json object). */
export type ErrorPrinter = (e: ExoError) => { readonly stderr: string; readonly stdout: string };
let printer: ErrorPrinter = (e) => ({ stderr: `error[${e.code}]: ${e.message}\n${e.hint ? `hint: ${e.hint}\n` : ""}`, stdout: "" });

/** Report the watchdog's errors as the CLI reports any other (set once by the CLI). */
export function setErrorPrinter(print: ErrorPrinter): void {
  printer = print;
}

/** Watches started, so that each has a hook of its own. */
let watches = 0;

/** Start watching the evaluation of `file`; returns the function that ends the watch. */
export function watchEvaluation(file: string): () => void {
  if (limitSeconds === undefined || !isMainThread) return () => {};
  const seconds = limitSeconds;
  // The hidden hook the watchdog calls in the main thread, by name, through the inspector.
  const hook = `__exoEvalTimedOut${++watches}`;
  // Set to 1 by the watchdog once its inspector session is closed: exiting with one
  // open would make Node print "Waiting for the debugger to disconnect...".
  const detached = new Int32Array(new SharedArrayBuffer(4));
  let fired = false;
  const exit = (): void => {
    Atomics.wait(detached, 0, 0, 2000);
    process.exit(1);
  };
  (globalThis as Record<string, unknown>)[hook] = () => {
    fired = true;
    process.exitCode = 1;
    // Run once the interrupted code is terminated and the event loop turns again. Twice:
    // when the main thread was idle, the termination falls on the next callback instead.
    setImmediate(exit);
    setTimeout(exit, 100);
  };
  // Evaluation that awaits something that never comes ends the process with nothing left to run.
  const onExit = (): void => {
    if (fired) return;
    const report = printer(new ExoError("ERR_EXO_EVAL_TIMEOUT", `evaluating profile ${displayPath(file)} never finished: its code awaits something that never happens`, "a profile's top-level code must not wait on a promise that never settles"));
    process.stderr.write(report.stderr);
    process.stdout.write(report.stdout);
    process.exitCode = 1;
  };
  process.on("exit", onExit);
  const message = printer(
    new ExoError(
      "ERR_EXO_EVAL_TIMEOUT",
      `evaluating profile ${displayPath(file)} took longer than the limit of ${seconds} s, so it was stopped`,
      "a profile's code must end: look for a loop that never does (at its top level, in a config function, a lazy value or an mkIf condition); if it is only slow, raise the limit with --eval-timeout SECONDS or EXO_EVAL_TIMEOUT=SECONDS",
    ),
  );
  const worker = new Worker(WATCHDOG, { eval: true, workerData: { ms: Math.round(seconds * 1000), message, hook, detached } });
  worker.unref();
  return () => {
    process.off("exit", onExit);
    delete (globalThis as Record<string, unknown>)[hook];
    void worker.terminate();
  };
}

// CommonJS, run with `eval`: the watchdog loads nothing but Node's own modules.
const WATCHDOG = `
const { workerData } = require("node:worker_threads");
const { writeSync } = require("node:fs");
setTimeout(() => {
  writeSync(2, workerData.message.stderr);
  if (workerData.message.stdout) writeSync(1, workerData.message.stdout);
  // Last resort, should the main thread not come back to its event loop.
  setTimeout(() => process.kill(process.pid, "SIGKILL"), 5000);
  const { Session } = require("node:inspector");
  const session = new Session();
  session.connectToMainThread();
  session.post("Runtime.evaluate", { expression: "globalThis." + workerData.hook + "?.()" }, () => {
    session.post("Runtime.terminateExecution", () => {
      session.disconnect();
      Atomics.store(workerData.detached, 0, 1);
      Atomics.notify(workerData.detached, 0);
    });
  });
}, workerData.ms);
`;
