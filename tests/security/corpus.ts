// Shared by the hostile-input tests: one project with an image in every
// format, fresh copies of it to tamper with, and the checks `exo verify`
// runs, called in process so hundreds of cases stay quick.
import { chmod, cp, mkdir, mkdtemp, readdir, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkImage, type Format, type ImageCheck } from "../../generator/image/read.ts";
import { loadPublicKey, type PublicKey } from "../../generator/sign/keys.ts";
import { withTempDir } from "../../generator/temp.ts";
import { exo, fixture, tempProject } from "../helpers/exo.ts";

export interface Built {
  readonly dir: string;
  readonly result: string;
  readonly trusted: readonly PublicKey[];
}

/** A project with `fixture` built into ./result (all four formats by default). */
export async function buildImage(profile = fixture("all-formats.ts"), args: readonly string[] = []): Promise<Built> {
  const dir = await tempProject();
  const built = await exo(["build", profile, ...args], { cwd: dir });
  if (built.code !== 0) throw new Error(`build failed: ${built.stderr}`);
  return { dir, result: join(dir, "result"), trusted: [await loadPublicKey(join(dir, "keys/test.pub"))] };
}

/** A writable copy of an image folder, outside any project. */
export async function copyImage(result: string): Promise<string> {
  const copy = join(await mkdtemp(join(tmpdir(), "exo-hostile-")), "image");
  await cp(result, copy, { recursive: true, dereference: true });
  await makeWritable(copy);
  return copy;
}

async function makeWritable(path: string): Promise<void> {
  const info = await stat(path);
  await chmod(path, info.isDirectory() ? 0o755 : 0o644);
  if (info.isDirectory()) for (const name of await readdir(path)) await makeWritable(join(path, name));
}

export function check(image: string, trusted: readonly PublicKey[], formats?: readonly Format[]): Promise<ImageCheck> {
  return withTempDir("test", (workDir) => checkImage(image, trusted, { workDir, ...(formats ? { formats } : {}) }));
}

/** A writable folder with the image's manifests and one container: enough to check that format alone. */
export async function copyFormat(result: string, container: string): Promise<string> {
  const copy = join(await mkdtemp(join(tmpdir(), "exo-hostile-")), "image");
  await mkdir(copy);
  for (const name of ["image.json", "image.sig", "manifest.json", "manifest.sig", "sbom.spdx.json", container]) {
    await cp(join(result, name), join(copy, name), { recursive: true, dereference: true });
  }
  await makeWritable(copy);
  return copy;
}

/** Every problem the check found, image-level and per format, one per line. */
export function problemsOf(c: ImageCheck): string {
  return [...c.problems, ...c.formats.flatMap((f) => f.problems.map((p) => `${f.format}: ${p}`))].join("\n");
}

/** Tally of a class of the corpus: how many cases were tried and refused, for the closing note. */
export class Tally {
  private readonly counts = new Map<string, { tried: number; refused: number }>();
  add(kind: string, refused: boolean): void {
    const c = this.counts.get(kind) ?? { tried: 0, refused: 0 };
    c.tried++;
    if (refused) c.refused++;
    this.counts.set(kind, c);
  }
  lines(): string[] {
    return [...this.counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([kind, c]) => `${kind}: ${c.refused}/${c.tried} refused`);
  }
}
