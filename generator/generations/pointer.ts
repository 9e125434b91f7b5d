// The `current` pointer: a file naming the current generation, replaced by
// write-to-temp + rename so a crash leaves the old pointer or the new one.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { isCode, writeAtomic } from "../../store/store.ts";

const POINTER = "current";

/** The current generation number, or undefined before the first switch. */
export async function readCurrent(dir: string): Promise<number | undefined> {
  const text = await readFile(join(dir, POINTER), "utf8").catch((e: unknown) => {
    if (isCode(e, "ENOENT")) return undefined;
    throw e;
  });
  const n = Number(text?.trim());
  return text !== undefined && Number.isInteger(n) && n > 0 ? n : undefined;
}

export async function setCurrent(dir: string, number: number): Promise<void> {
  await writeAtomic(join(dir, POINTER), `${number}\n`);
}
