// Record generations and move the `current` pointer: the stage behind
// `exo switch`, `exo rollback` and `exo generations delete`.
import { readFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { MANIFEST_FILE, manifestSchema } from "../image/manifest.ts";
import { buildProfile } from "../build.ts";
import { ExoError } from "../errors.ts";
import type { Project } from "../project/config.ts";
import { Store } from "../../store/store.ts";
import { PAYLOAD, type OlderPayload } from "../plan/plan.ts";
import { systemHashOf } from "../plan/system-config.ts";
import { addRecordAt, type GenerationRecord, listNumbers, listRecords, readRecord, removeRecord, unknownGeneration } from "./record.ts";
import { readCurrent, setCurrent } from "./pointer.ts";
import { crashPoint } from "../../store/crash.ts";
import { lockFile } from "../../store/flock.ts";
import { addGenerationRoot, removeGenerationRoot } from "./roots.ts";
import { portablePath, snapshotOf } from "./snapshot.ts";

/**
 * Build PROFILE, record it as a new generation, root it, and make it current.
 * The image's signed version is its generation number, so it is built for the
 * next free number; if a concurrent switch takes that number first, it is
 * built again for the next one (only the payload and image change).
 */
export async function switchProfile(project: Project, profile: string, message: string | undefined, now: Date): Promise<GenerationRecord> {
  const store = new Store(project.store);
  for (;;) {
    const number = ((await listNumbers(project.generations)).at(-1) ?? 0) + 1;
    const result = await buildProfile(profile, project, { olderGenerations: await menuCandidates(project.generations, store), version: number });
    const storePath = basename(result.outPath);
    crashPoint("switch:after-build");
    const fields = {
      createdAt: now.toISOString(),
      profile: portablePath(resolve(profile), project.root),
      configHash: result.evaluation.hash,
      systemHash: systemHashOf(result.evaluation.config),
      storePath,
      payload: result.realisation.paths.get(PAYLOAD)!,
      message: message ?? null,
      ...snapshotOf(result.evaluation, project.root, result.packages),
    };
    // Root first: once the record is visible, gc must already keep its image. The shared GC lock keeps
    // gc from pruning the root as one without a record in between.
    const gc = await lockFile(store.gcLockFile, { shared: true, wait: true });
    let record;
    try {
      await addGenerationRoot(store, project.generations, number, storePath);
      crashPoint("switch:after-root");
      record = await addRecordAt(project.generations, number, fields);
      crashPoint("switch:after-record");
      if (!record) await removeGenerationRoot(store, project.generations, number, storePath); // another switch took the number
    } finally {
      await gc?.release();
    }
    if (!record) continue;
    await setCurrent(project.generations, record.number);
    crashPoint("switch:after-current");
    return record;
  }
}

/**
 * Recorded generations whose signed payload is still in the store, newest
 * first, with the version and system their manifest gives: what a new boot
 * menu may offer (the plan keeps the older versions of the same system).
 */
async function menuCandidates(dir: string, store: Store): Promise<OlderPayload[]> {
  const candidates: OlderPayload[] = [];
  for (const record of (await listRecords(dir)).reverse()) {
    if (!record.payload || !(await store.isValid(record.payload))) continue;
    const text = await readFile(join(store.pathOf(record.payload), MANIFEST_FILE), "utf8").catch(() => undefined);
    const parsed = text === undefined ? undefined : manifestSchema.safeParse(JSON.parse(text));
    // Payloads from before versions were signed (exo.manifest/v1) cannot be carried.
    if (parsed?.success) candidates.push({ number: record.number, version: parsed.data.version, system: parsed.data.system, payload: record.payload });
  }
  return candidates;
}

/** Make an existing generation current (rollback, switch --generation). */
export async function activate(project: Project, number: number): Promise<GenerationRecord> {
  const record = await readRecord(project.generations, number);
  const store = new Store(project.store);
  if (!(await store.isValid(record.storePath))) {
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
