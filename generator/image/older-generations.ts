// Older generations inside a bootable image (rollback at boot): each one's
// kernel and initrd with its own signed manifest under generations/<N>/, and
// a menu that offers them after the image's own entry. The menu itself is
// not signed; it is a function of those manifests, so `exo verify` writes
// it again and compares.
import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { PublicKey } from "../sign/keys.ts";
import { generationDir, GENERATIONS_CFG, generationsConfig, type OlderGeneration } from "./grub-cfg.ts";
import { MANIFEST_FILE, manifestSchema, SIGNATURE_FILE } from "./manifest.ts";
import { verifyFiles } from "./verify.ts";

/** What an older generation brings to the menu: enough to boot it and to check it. */
export const CARRIED_FILES = ["boot/kernel.elf", "boot/initrd.tar", MANIFEST_FILE, SIGNATURE_FILE] as const;

/**
 * Copy each older generation's files out of its payload folder into `tree`
 * and write the menu; returns the names added. An unsigned payload is carried
 * without a signature, and `exo verify` then says so.
 */
export async function addOlderGenerations(tree: string, payloads: readonly { number: number; dir: string }[]): Promise<string[]> {
  if (payloads.length === 0) return [];
  const added: string[] = [];
  const menu: OlderGeneration[] = [];
  for (const { number, dir } of payloads) {
    for (const name of CARRIED_FILES) {
      const target = join(tree, generationDir(number), name);
      await mkdir(dirname(target), { recursive: true });
      const copied = await cp(join(dir, name), target).then(() => true, () => name === SIGNATURE_FILE ? false : Promise.reject(new Error(`generation ${number}'s payload has no ${name}`)));
      if (copied) added.push(`${generationDir(number)}/${name}`);
    }
    const manifest = manifestSchema.parse(JSON.parse(await readFile(join(dir, MANIFEST_FILE), "utf8")));
    menu.push({ number, system: manifest.system, configHash: manifest.configHash });
  }
  await writeFile(join(tree, GENERATIONS_CFG), generationsConfig(menu));
  return [...added, GENERATIONS_CFG].sort();
}

/**
 * Check the older generations an image carries: each against its own
 * manifest and a trusted signature, and the menu against the one those
 * manifests give. Returns the problems (each naming its file) and the names
 * accounted for, which the image's own manifest does not list.
 */
export function verifyOlderGenerations(files: ReadonlyMap<string, Uint8Array>, trusted: readonly PublicKey[]): { problems: string[]; accounted: Set<string> } {
  const problems: string[] = [];
  const accounted = new Set<string>();
  const numbers = new Set<number>();
  for (const name of files.keys()) {
    const m = /^generations\/(\d+)\//.exec(name);
    if (m) numbers.add(Number(m[1]));
  }
  const menu: OlderGeneration[] = [];
  for (const number of [...numbers].sort((a, b) => a - b)) {
    const prefix = `${generationDir(number)}/`;
    const own = new Map<string, Uint8Array>();
    for (const [name, data] of files) {
      if (!name.startsWith(prefix)) continue;
      own.set(name.slice(prefix.length), data);
      accounted.add(name);
    }
    const report = verifyFiles(own, trusted, { subset: true });
    problems.push(...report.problems.map((p) => `${prefix}${p}`));
    if (report.manifest) menu.push({ number, system: report.manifest.system, configHash: report.manifest.configHash });
  }
  const cfg = files.get(GENERATIONS_CFG);
  if (cfg !== undefined || numbers.size > 0) {
    accounted.add(GENERATIONS_CFG);
    if (cfg === undefined) problems.push(`${GENERATIONS_CFG}: missing, though the image carries older generations`);
    else if (Buffer.from(cfg).toString("utf8") !== generationsConfig(menu)) problems.push(`${GENERATIONS_CFG}: differs from the menu the carried generations' manifests give`);
  }
  return { problems, accounted };
}
