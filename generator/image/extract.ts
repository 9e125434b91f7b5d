// Files out of an ISO (xorriso) or a raw disk's EFI system partition
// (mtools), for the checks that look inside them. Only the files asked for
// are extracted, one by one, and each is read back without following links
// and within its expected size; callers open only containers whose whole
// hash they have already checked.
import { mkdir, open } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { runTool } from "../builders/exec.ts";
import { ExoError } from "../errors.ts";
import { findTool } from "../toolchain.ts";
import { SECTOR } from "./mbr.ts";
import { firstPartition } from "./raw.ts";
import { readSmallFile, UnsafeFile } from "./safe-read.ts";
import { isSafeEntryName } from "./tar-read.ts";

export interface Wanted {
  readonly path: string;
  /** Most bytes the file may have. */
  readonly maxBytes: number;
}

export interface Extracted {
  readonly files: Map<string, Uint8Array>;
  readonly problems: string[];
}

export async function extractFiles(format: "iso" | "raw", container: string, wanted: readonly Wanted[], workDir: string): Promise<Extracted> {
  const file = resolve(container);
  const dir = join(workDir, `extract-${format}`);
  await mkdir(dir);
  const safe = wanted.filter((w) => isSafeEntryName(w.path));
  const problems = wanted.filter((w) => !isSafeEntryName(w.path)).map((w) => `${w.path}: not a plain relative path`);
  try {
    if (format === "iso") {
      const xorriso = await findTool("xorriso");
      // -abort_on NEVER: a file that is missing is reported below, by name, rather than ending the run.
      const args = ["-osirrox", "on", "-abort_on", "NEVER", "-return_with", "FATAL", "0", "-indev", file];
      // Flat names: xorriso would give parent folders the ISO's read-only modes, so a second file could not be written beside the first.
      safe.forEach((w, i) => args.push("-extract", `/${w.path}`, join(dir, `f${i}`)));
      await runTool(xorriso, args, { cwd: dir, what: `reading ${basename(file)} with xorriso` });
    } else {
      const mcopy = await findTool("mcopy");
      let start: number;
      try {
        start = firstPartition(await readHead(file, SECTOR)).start;
      } catch (e) {
        return { files: new Map(), problems: [...problems, `${basename(file)}: ${e instanceof Error ? e.message : String(e)}`] };
      }
      for (const [i, w] of safe.entries()) {
        await runTool(mcopy, ["-n", "-m", "-i", `${file}@@${start * SECTOR}`, `::/${w.path}`, join(dir, `f${i}`)], { cwd: dir, what: `reading ${w.path} from ${basename(file)} with mcopy` }).catch(() => undefined);
      }
    }
  } catch (e) {
    if (e instanceof ExoError) return { files: new Map(), problems: [...problems, `${basename(file)}: could not be read: ${e.message}`] };
    throw e;
  }
  const files = new Map<string, Uint8Array>();
  for (const [i, w] of safe.entries()) {
    try {
      files.set(w.path, await readSmallFile(join(dir, `f${i}`), w.path, w.maxBytes));
    } catch (e) {
      if (!(e instanceof UnsafeFile)) throw e;
      problems.push(e.message.endsWith(": missing") ? `${w.path}: listed in the manifest but missing from the image` : e.message);
    }
  }
  return { files, problems };
}

export async function readHead(file: string, bytes: number): Promise<Buffer> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(bytes);
    await handle.read(buffer, 0, bytes, 0);
    return buffer;
  } finally {
    await handle.close();
  }
}
