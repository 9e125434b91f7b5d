// Generation records: one small JSON file per generation, `<dir>/<N>.json`,
// holding everything `exo diff` and `exo rollback` need later, so neither
// depends on the profile file, which may have changed since.
import { randomBytes } from "node:crypto";
import { link, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ExoError } from "../errors.ts";
import { isCode } from "../../store/store.ts";
import { syncDir, writeSynced } from "../../store/fs.ts";

export const GENERATION_SCHEMA = "exo.generation/v1";

/** One option's value and the definitions (file:line) that set it; "default" when none did. */
export interface OptionRecord {
  readonly value: unknown;
  readonly definedIn: readonly string[];
}

export interface GenerationRecord {
  readonly schema: typeof GENERATION_SCHEMA;
  readonly number: number;
  /** ISO time: a record is history, the one place a timestamp belongs. */
  readonly createdAt: string;
  /** The profile as the user gave it, relative to the project when inside it. */
  readonly profile: string;
  readonly configHash: string;
  /** What the boot banner prints as `config`: the hash of every option but image.* (absent in older records). */
  readonly systemHash?: string;
  /** Store path name, e.g. `abcd...-image-server`. */
  readonly storePath: string;
  /** Store path name of the signed payload, which later generations' boot menus carry (absent in older records). */
  readonly payload?: string;
  readonly message: string | null;
  /** What the boot menu prints: the system name and the kernel's feature list. */
  readonly banner: string;
  /** The evaluated config. */
  readonly config: unknown;
  /** Every option by dotted path. */
  readonly options: Readonly<Record<string, OptionRecord>>;
  /** Installed packages with their versions at switch time, so a later package set cannot rewrite history. */
  readonly packages: Readonly<Record<string, string>>;
}

export type NewRecord = Omit<GenerationRecord, "schema" | "number">;

const RECORD = /^(\d+)\.json$/;

/** Generation numbers present in `dir`, ascending. */
export async function listNumbers(dir: string): Promise<number[]> {
  const names = await readdir(dir).catch((e: unknown) => {
    if (isCode(e, "ENOENT")) return [] as string[];
    throw e;
  });
  return names.flatMap((n) => {
    const m = RECORD.exec(n);
    return m ? [Number(m[1])] : [];
  }).sort((a, b) => a - b);
}

export async function listRecords(dir: string): Promise<GenerationRecord[]> {
  return Promise.all((await listNumbers(dir)).map((n) => readRecord(dir, n)));
}

export async function readRecord(dir: string, number: number): Promise<GenerationRecord> {
  const text = await readFile(join(dir, `${number}.json`), "utf8").catch((e: unknown) => {
    if (isCode(e, "ENOENT")) return undefined;
    throw e;
  });
  if (text === undefined) throw await unknownGeneration(dir, number);
  try {
    const record = JSON.parse(text) as GenerationRecord;
    if (record?.schema !== GENERATION_SCHEMA || record.number !== number || typeof record.storePath !== "string") throw new Error(`not a ${GENERATION_SCHEMA} record of generation ${number}`);
    return record;
  } catch (e) {
    throw new ExoError(
      "ERR_EXO_GENERATION",
      `the generation record ${join(dir, `${number}.json`)} is damaged: ${e instanceof Error ? e.message : String(e)}`,
      `restore it from a backup, or drop generation ${number} with \`exo generations delete ${number}\``,
    );
  }
}

export async function unknownGeneration(dir: string, number: number | string): Promise<ExoError> {
  const numbers = await listNumbers(dir);
  return new ExoError(
    "ERR_EXO_GENERATION",
    `generation ${number} does not exist (it was never made, or was deleted); ${numbers.length ? `generations: ${numbers.join(", ")}` : "there are no generations yet"}`,
    "`exo generations` lists them; `exo switch PROFILE` makes one",
  );
}

/**
 * Record a new generation under number N, if it is still free. The record is
 * written whole to a temporary file and then hard-linked to `<N>.json`:
 * link() fails with EEXIST when another `exo switch` took N first (then this
 * returns undefined), so each number is allocated exactly once and no reader
 * ever sees a half-written record.
 */
export async function addRecordAt(dir: string, number: number, record: NewRecord): Promise<GenerationRecord | undefined> {
  await mkdir(dir, { recursive: true });
  const full: GenerationRecord = { schema: GENERATION_SCHEMA, number, ...record };
  // Synced before it is linked into place, and the folder after: a power cut shows the whole record or none.
  const tmp = await writeSynced(join(dir, `.new-${process.pid}-${randomBytes(4).toString("hex")}`), `${JSON.stringify(full, null, 2)}\n`);
  try {
    try {
      await link(tmp, join(dir, `${number}.json`));
      await syncDir(dir);
      return full;
    } catch (e) {
      if (!isCode(e, "EEXIST")) throw e;
      return undefined;
    }
  } finally {
    await rm(tmp, { force: true });
  }
}

/** Record a new generation under the next free number. */
export async function addRecord(dir: string, record: NewRecord): Promise<GenerationRecord> {
  for (;;) {
    const added = await addRecordAt(dir, ((await listNumbers(dir)).at(-1) ?? 0) + 1, record);
    if (added) return added;
  }
}

export async function removeRecord(dir: string, number: number): Promise<void> {
  await rm(join(dir, `${number}.json`));
}
