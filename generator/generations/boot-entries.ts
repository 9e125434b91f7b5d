// The hook for a future boot-menu writer (rollback at boot): the newest
// generations with what a menu entry needs. Nothing writes menus yet; the
// iso and raw writers will call this.
import { listRecords } from "./record.ts";

export interface BootEntry {
  readonly number: number;
  readonly storePath: string;
  readonly configHash: string;
  readonly banner: string;
}

/** The newest `count` generations of `dir`, newest first. */
export async function newestGenerations(dir: string, count: number): Promise<BootEntry[]> {
  const records = await listRecords(dir);
  return records.reverse().slice(0, count).map((r) => ({ number: r.number, storePath: r.storePath, configHash: r.configHash, banner: r.banner }));
}
