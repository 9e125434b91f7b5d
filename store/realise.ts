// Realise a build graph: for each derivation, hash its inputs into a key;
// reuse the recorded output if there is one, else build it in scratch space
// and add it to the store. Inputs are named by the hash of their *content*,
// so an output that comes out unchanged stops rebuilds downstream (early
// cut-off). Independent derivations build in parallel, up to `jobs`.
import { mkdir, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { ExoError } from "../generator/errors.ts";
import { hashJson } from "./hash.ts";
import type { BuildGraph, Builder, Derivation, DerivationInput } from "./derivation.ts";
import { acquireLock } from "./lock.ts";
import { removeTree, type Store } from "./store.ts";
import { Semaphore } from "./semaphore.ts";
import { hashTree, listTree, type TreeEntry } from "./tree.ts";

export type BuildEvent =
  | { readonly type: "plan"; readonly total: number }
  | { readonly type: "reused"; readonly id: string; readonly path: string }
  | { readonly type: "waiting"; readonly id: string }
  | { readonly type: "building"; readonly id: string }
  | { readonly type: "built"; readonly id: string; readonly path: string; readonly ms: number }
  | { readonly type: "checked"; readonly id: string; readonly path: string }
  | { readonly type: "substituted"; readonly id: string; readonly path: string; readonly from: string; readonly bytes: number }
  | { readonly type: "substitute-refused"; readonly id: string; readonly from: string; readonly reason: string }
  | { readonly type: "failed"; readonly id: string; readonly log: string };

export interface RealiseOptions {
  readonly store: Store;
  readonly builders: Readonly<Record<string, Builder>>;
  readonly jobs: number;
  readonly onEvent?: (event: BuildEvent) => void;
  /** Build every derivation again, even when stored, and compare the bytes (`exo build --check`). */
  readonly check?: boolean;
  /** Ask binary caches for a derivation's output before building it; undefined: build it. */
  readonly substitute?: (key: string, id: string) => Promise<Substitution | undefined>;
}

export interface Substitution {
  /** The path, valid in the store. */
  readonly path: string;
  /** The cache it came from. */
  readonly from: string;
  /** Archive bytes downloaded (0 when the path was already here). */
  readonly bytes: number;
}

export interface Realisation {
  /** Store path name of every derivation, by id. */
  readonly paths: ReadonlyMap<string, string>;
  readonly built: number;
  readonly reused: number;
  readonly substituted: number;
}

export async function realise(graph: BuildGraph, opts: RealiseOptions): Promise<Realisation> {
  const { store } = opts;
  await store.init();
  const emit = (event: BuildEvent) => opts.onEvent?.(event);
  emit({ type: "plan", total: graph.derivations.length });
  const paths = new Map<string, string>();
  const pending = new Map<string, Promise<string>>();
  let built = 0;
  let substituted = 0;
  const slots = new Semaphore(Math.max(1, opts.jobs));
  const byId = new Map(graph.derivations.map((d) => [d.id, d] as const));

  const inputPath = async (drv: Derivation, name: string, input: DerivationInput): Promise<string> => {
    if ("storePath" in input) {
      await store.protect(input.storePath);
      if (!(await store.isValid(input.storePath))) throw new ExoError("ERR_EXO_STORE", `derivation ${drv.id}: input ${name} names ${input.storePath}, which is not in the store (collected meanwhile?)`, "build again");
      return input.storePath;
    }
    const dep = byId.get(input.node);
    if (!dep) throw new Error(`derivation ${drv.id}: input ${name} names unknown node ${input.node}`);
    return realiseOne(dep);
  };

  const realiseOne = (drv: Derivation): Promise<string> => {
    const existing = pending.get(drv.id);
    if (existing) return existing;
    const promise = (async () => {
      const inputPaths: Record<string, string> = {};
      const inputHashes: Record<string, string> = {};
      const references = new Set<string>();
      for (const [name, input] of Object.entries(drv.inputs)) {
        const depName = await inputPath(drv, name, input);
        const depPath = store.pathOf(depName);
        // A file taken from inside another path is an input by its content (hashed below), not a
        // reference: the same source file from two profiles' source trees must give the same object.
        if (!input.path) references.add(depName);
        inputPaths[name] = input.path ? join(depPath, input.path) : depPath;
        inputHashes[name] = input.path ? await hashTree(inputPaths[name]!) : depName;
      }
      const builder = opts.builders[drv.builder];
      if (!builder) throw new Error(`derivation ${drv.id}: no builder named ${drv.builder}`);
      const key = hashJson({ name: drv.name, builder: drv.builder, version: builder.version, args: drv.args, inputs: inputHashes });
      const job: Job = { drv, builder, key, inputs: inputPaths, references: [...references], store, emit };

      let found = await store.lookup(key);
      // Without the build lock (a child process per lock): a path two processes copy at once is
      // added once, and a cache that has everything should cost no more than the downloads.
      const substitution = found ? undefined : await opts.substitute?.(key, drv.id);
      if (substitution) {
        await store.record(key, substitution.path);
        substituted++;
        emit({ type: "substituted", id: drv.id, path: substitution.path, from: substitution.from, bytes: substitution.bytes });
        paths.set(drv.id, substitution.path);
        // Under --check a substituted output is built again here and compared: reproducible across machines.
        if (!opts.check) return substitution.path;
        found = substitution.path;
      }
      if (!found) {
        const release = await acquireLock(store, key, () => emit({ type: "waiting", id: drv.id }));
        try {
          found = await store.lookup(key); // a concurrent process may have built it while we waited
          if (!found) {
            const pathName = await slots.run(() => build(job));
            built++;
            paths.set(drv.id, pathName);
            return pathName;
          }
        } finally {
          await release();
        }
      }
      if (opts.check) {
        const stored = found;
        await slots.run(() => checkAgainst(job, stored));
        emit({ type: "checked", id: drv.id, path: found });
      } else {
        emit({ type: "reused", id: drv.id, path: found });
      }
      paths.set(drv.id, found);
      return found;
    })();
    pending.set(drv.id, promise);
    return promise;
  };

  const results = await Promise.allSettled(graph.derivations.map(realiseOne));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failure) throw failure.reason;
  return { paths, built, substituted, reused: graph.derivations.length - built - substituted };
}

interface Job {
  readonly drv: Derivation;
  readonly builder: Builder;
  readonly key: string;
  readonly inputs: Record<string, string>;
  readonly references: readonly string[];
  readonly store: Store;
  readonly emit: (event: BuildEvent) => void;
}

/** Run the builder in a fresh scratch directory; returns the scratch dir and its output dir. */
async function runBuilder(job: Job): Promise<{ scratch: string; out: string }> {
  const { drv, builder, store } = job;
  const scratch = await store.scratch();
  const out = join(scratch, "out");
  const tmp = join(scratch, "tmp");
  const log: string[] = [];
  try {
    await mkdir(out);
    await mkdir(tmp);
    await builder.run({ out, tmp, inputs: job.inputs, args: drv.args, log: (line) => log.push(line) });
    await saveLog(store.logFile(job.key), log);
    await removeTree(tmp);
    return { scratch, out };
  } catch (e) {
    await removeTree(scratch);
    const detail = e instanceof Error ? e.message : String(e);
    log.push(detail);
    const logFile = store.logFile(job.key);
    await saveLog(logFile, log);
    job.emit({ type: "failed", id: drv.id, log: logFile });
    const hint = e instanceof ExoError && e.hint ? `${e.hint}; ` : "";
    throw new ExoError("ERR_EXO_BUILD_FAILED", `building ${drv.id} failed: ${detail}`, `${hint}the build log is ${logFile}`);
  }
}

async function build(job: Job): Promise<string> {
  job.emit({ type: "building", id: job.drv.id });
  const started = performance.now();
  const { scratch, out } = await runBuilder(job);
  try {
    const pathName = await job.store.add(job.key, job.drv.name, out, job.references);
    job.emit({ type: "built", id: job.drv.id, path: pathName, ms: Math.round(performance.now() - started) });
    return pathName;
  } finally {
    await removeTree(scratch);
  }
}

/** Build again into scratch and compare with the stored output, naming the first file that differs. */
async function checkAgainst(job: Job, stored: string): Promise<void> {
  job.emit({ type: "building", id: job.drv.id });
  const { scratch, out } = await runBuilder(job);
  try {
    const [before, after] = await Promise.all([listTree(job.store.pathOf(stored)), listTree(out)]);
    const difference = firstDifference(before, after);
    if (difference) {
      throw new ExoError(
        "ERR_EXO_NOT_REPRODUCIBLE",
        `derivation ${job.drv.id} is not reproducible: ${difference}`,
        `compare the stored ${basename(job.store.pathOf(stored))} with a fresh build; a timestamp, an absolute path or an unordered iteration is the usual cause`,
      );
    }
  } finally {
    await removeTree(scratch);
  }
}

function firstDifference(a: readonly TreeEntry[], b: readonly TreeEntry[]): string | undefined {
  const byPath = new Map(b.map((e) => [e.path, e] as const));
  for (const entry of a) {
    const other = byPath.get(entry.path);
    if (!other) return `${entry.path || "(the output file)"} is missing from the new build`;
    if (other.sha256 !== entry.sha256 || other.executable !== entry.executable) {
      return `${entry.path || "(the output file)"} differs (stored sha256 ${entry.sha256.slice(0, 16)}…, new ${other.sha256.slice(0, 16)}…)`;
    }
    byPath.delete(entry.path);
  }
  const extra = [...byPath.keys()][0];
  return extra === undefined ? undefined : `${extra} appears only in the new build`;
}

async function saveLog(file: string, lines: readonly string[]): Promise<void> {
  await mkdir(join(file, ".."), { recursive: true });
  await writeFile(file, lines.length ? `${lines.join("\n")}\n` : "");
}
