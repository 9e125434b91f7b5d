// Record generations and move the `current` pointer: the stage behind
// `exo switch`, `exo rollback` and `exo generations delete`.
import { basename, resolve } from "node:path";
import { buildProfile } from "../build.ts";
import { ExoError } from "../errors.ts";
import type { Project } from "../project/config.ts";
import { Store } from "../../store/store.ts";
import { PAYLOAD, type OlderPayload } from "../plan/plan.ts";
import { addRecord, type GenerationRecord, listNumbers, listRecords, readRecord, removeRecord, unknownGeneration } from "./record.ts";
import { readCurrent, setCurrent } from "./pointer.ts";
import { addGenerationRoot, removeGenerationRoot } from "./roots.ts";
import { portablePath, snapshotOf } from "./snapshot.ts";

/** Build PROFILE, record it as a new generation, root it, and make it current. */
export async function switchProfile(project: Project, profile: string, message: string | undefined, now: Date): Promise<GenerationRecord> {
  const store = new Store(project.store);
  const result = await buildProfile(profile, project, { olderGenerations: await menuCandidates(project.generations, store) });
  const record = await addRecord(project.generations, {
    createdAt: now.toISOString(),
    profile: portablePath(resolve(profile), project.root),
    configHash: result.evaluation.hash,
    storePath: basename(result.outPath),
    payload: result.realisation.paths.get(PAYLOAD)!,
    message: message ?? null,
    ...snapshotOf(result.evaluation, project.root),
  });
  // Root before the pointer moves, so the current generation is never collectable.
  await addGenerationRoot(store, project.generations, record.number, record.storePath);
  await setCurrent(project.generations, record.number);
  return record;
}

/** Recorded generations whose payload is still in the store, newest first: what a new boot menu may offer. */
async function menuCandidates(dir: string, store: Store): Promise<OlderPayload[]> {
  const candidates: OlderPayload[] = [];
  for (const record of (await listRecords(dir)).reverse()) {
    if (record.payload && (await store.pathInfo(record.payload))) candidates.push({ number: record.number, payload: record.payload });
  }
  return candidates;
}

/** Make an existing generation current (rollback, switch --generation). */
export async function activate(project: Project, number: number): Promise<GenerationRecord> {
  const record = await readRecord(project.generations, number);
  const store = new Store(project.store);
  if (!(await store.pathInfo(record.storePath))) {
    throw new ExoError("ERR_EXO_GENERATION", `generation ${number}'s image ${record.storePath} is not in the store`, "build its profile again with `exo switch`");
  }
  await setCurrent(project.generations, number);
  return record;
}

/** The generation before the current one. */
export async function previousGeneration(project: Project): Promise<number> {
  const current = await requireCurrent(project);
  const older = (await listNumbers(project.generations)).filter((n) => n < current);
  if (older.length === 0) throw new ExoError("ERR_EXO_GENERATION", `generation ${current} is the oldest there is; there is nothing to roll back to`, "`exo generations` lists them");
  return older.at(-1)!;
}

export async function requireCurrent(project: Project): Promise<number> {
  const current = await readCurrent(project.generations);
  if (current === undefined) throw new ExoError("ERR_EXO_GENERATION", "there is no current generation yet", "`exo switch PROFILE` makes one");
  return current;
}

/** Delete generations and their roots; the current one is refused. */
export async function deleteGenerations(project: Project, numbers: readonly number[]): Promise<number[]> {
  const current = await readCurrent(project.generations);
  const existing = new Set(await listNumbers(project.generations));
  for (const n of numbers) {
    if (!existing.has(n)) throw await unknownGeneration(project.generations, n);
    if (n === current) throw new ExoError("ERR_EXO_GENERATION", `generation ${n} is the current one and is kept`, "switch to another generation first (`exo rollback`)");
  }
  const store = new Store(project.store);
  const deleted = [...new Set(numbers)].sort((a, b) => a - b);
  for (const n of deleted) {
    await removeGenerationRoot(store, project.generations, n);
    await removeRecord(project.generations, n);
  }
  return deleted;
}

/** Generations created more than `days` days before `now`, except the current one. */
export async function olderThan(project: Project, days: number, now: Date): Promise<number[]> {
  const current = await readCurrent(project.generations);
  const limit = now.getTime() - days * 86_400_000;
  const old: number[] = [];
  for (const n of await listNumbers(project.generations)) {
    if (n === current) continue;
    if (Date.parse((await readRecord(project.generations, n)).createdAt) < limit) old.push(n);
  }
  return old;
}

export function parseGenerationNumber(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) {
    throw new ExoError("ERR_EXO_USAGE", `'${text}' is not a generation number`, "generation numbers are whole numbers from 1; `exo generations` lists them");
  }
  return n;
}
