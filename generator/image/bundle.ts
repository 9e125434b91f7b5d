// The `bundle` format: a deterministic tar of every file of the image,
// manifest and signature included.
import type { PublicKey } from "../sign/keys.ts";
import { packTar, type TarEntry, unpackTar } from "./tar.ts";
import { type ImageReport, verifyFiles } from "./verify.ts";

export async function writeBundle(files: ReadonlyMap<string, Uint8Array>, mtimeSeconds: number): Promise<Buffer> {
  return packTar([...files].map(([name, data]) => ({ name, data })), mtimeSeconds);
}

export interface BundleReport extends ImageReport {
  readonly entries: readonly TarEntry[];
}

/** Check a bundle completely: archive form, signature, and every file's hash and size. */
export async function verifyBundle(bytes: Uint8Array, trusted: readonly PublicKey[], signature?: Uint8Array): Promise<BundleReport> {
  let unpacked;
  try {
    unpacked = await unpackTar(bytes);
  } catch (e) {
    return { ok: false, problems: [`bundle: not a readable tar archive (${e instanceof Error ? e.message : String(e)})`], entries: [] };
  }
  const report = verifyFiles(new Map(unpacked.entries.map((e) => [e.name, e.data] as const)), trusted, signature ? { signature } : {});
  const problems = [...report.problems];
  // The archive itself must be in canonical form, so no byte anywhere (headers included) can change unnoticed.
  const canonical = await packTar(unpacked.entries, unpacked.mtimeSeconds);
  if (!canonical.equals(Buffer.from(bytes))) {
    problems.push(`bundle: the archive is not in canonical form (first difference at byte ${firstDifference(canonical, bytes)})`);
  }
  return { ...report, ok: problems.length === 0, problems, entries: unpacked.entries };
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}
