// Realise a build graph: for each derivation, hash its inputs into a key;
// reuse the recorded output if there is one, else build it in scratch space
// and add it to the store. Inputs are named by the hash of their *content*,
// so an output that comes out unchanged stops rebuilds downstream.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { ExoError } from "../generator/errors.ts";
import { hashJson } from "./hash.ts";
import type { BuildGraph, Builder, Derivation } from "./derivation.ts";
import { removeTree, type Store } from "./store.ts";
import { hashTree } from "./tree.ts";

export type BuildEvent =
  | { readonly type: "reused"; readonly id: string; readonly path: string }
  | { readonly type: "building"; readonly id: string }
  | { readonly type: "built"; readonly id: string; readonly path: string; readonly ms: number };

export interface RealiseOptions {
  readonly store: Store;
  readonly builders: Readonly<Record<string, Builder>>;
  readonly jobs: number;
  readonly onEvent?: (event: BuildEvent) => void;
}

export interface Realisation {
  /** Store path name of every derivation, by id. */
  readonly paths: ReadonlyMap<string, string>;
  readonly built: number;
  readonly reused: number;
}

export async function realise(graph: BuildGraph, opts: RealiseOptions): Promise<Realisation> {
  await opts.store.init();
  const paths = new Map<string, string>();
  const pending = new Map<string, Promise<string>>();
  let built = 0;
  let reused = 0;
  const slots = new Semaphore(Math.max(1, opts.jobs));
  const byId = new Map(graph.derivations.map((d) => [d.id, d] as const));

  const realiseOne = (drv: Derivation): Promise<string> => {
    const existing = pending.get(drv.id);
    if (existing) return existing;
    const promise = (async () => {
      const inputPaths: Record<string, string> = {};
      const inputHashes: Record<string, string> = {};
      for (const [name, input] of Object.entries(drv.inputs)) {
        const dep = byId.get(input.node);
        if (!dep) throw new Error(`derivation ${drv.id}: input ${name} names unknown node ${input.node}`);
        const depPath = opts.store.pathOf(await realiseOne(dep));
        const abs = input.path ? join(depPath, input.path) : depPath;
        inputPaths[name] = abs;
        inputHashes[name] = input.path ? await hashTree(abs) : depPath.slice(depPath.lastIndexOf("/") + 1);
      }
      const builder = opts.builders[drv.builder];
      if (!builder) throw new Error(`derivation ${drv.id}: no builder named ${drv.builder}`);
      const key = hashJson({ name: drv.name, builder: drv.builder, version: builder.version, args: drv.args, inputs: inputHashes });
      const found = await opts.store.lookup(key);
      if (found) {
        reused++;
        opts.onEvent?.({ type: "reused", id: drv.id, path: found });
        paths.set(drv.id, found);
        return found;
      }
      const release = await slots.acquire();
      try {
        opts.onEvent?.({ type: "building", id: drv.id });
        const started = performance.now();
        const pathName = await buildInScratch(drv, builder, inputPaths, key, opts.store);
        built++;
        opts.onEvent?.({ type: "built", id: drv.id, path: pathName, ms: Math.round(performance.now() - started) });
        paths.set(drv.id, pathName);
        return pathName;
      } finally {
        release();
      }
    })();
    pending.set(drv.id, promise);
    return promise;
  };

  await Promise.all(graph.derivations.map(realiseOne));
  return { paths, built, reused };
}

async function buildInScratch(
  drv: Derivation,
  builder: Builder,
  inputs: Record<string, string>,
  key: string,
  store: Store,
): Promise<string> {
  const scratch = await store.scratch();
  const out = join(scratch, "out");
  const tmp = join(scratch, "tmp");
  const log: string[] = [];
  try {
    await mkdir(out);
    await mkdir(tmp);
    await builder.run({ out, tmp, inputs, args: drv.args, log: (line) => log.push(line) });
  } catch (e) {
    await removeTree(scratch);
    if (e instanceof ExoError) throw e;
    const detail = e instanceof Error ? e.message : String(e);
    throw new ExoError(
      "ERR_EXO_BUILD_FAILED",
      `building ${drv.id} failed: ${detail}${log.length ? `\n--- build log ---\n${log.join("\n")}` : ""}`,
    );
  }
  const pathName = await store.add(key, drv.name, out);
  await removeTree(scratch);
  return pathName;
}

/** Limits how many builders run at once. */
class Semaphore {
  private waiting: (() => void)[] = [];
  constructor(private free: number) {}
  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    return () => {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}
