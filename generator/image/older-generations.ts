// Older generations inside a bootable image (rollback at boot): each one's
// kernel and initrd with its own signed manifest under generations/<N>/, and
// a menu that offers them after the image's own entry. The list of carried
// generations (number, version, manifest hash) is in the newer image's
// signed image.json, and each must be an older version of the same system.
// The menu itself is not signed; it is a function of those manifests, so
// `exo verify` writes it again and compares.
import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { sha256Hex } from "../../store/hash.ts";
import type { PublicKey } from "../sign/keys.ts";
import { generationDir, GENERATIONS_CFG, generationsConfig, type OlderGeneration } from "./grub-cfg.ts";
import type { CarriedGeneration } from "./image-manifest.ts";
import { type Manifest, MANIFEST_FILE, manifestSchema, SIGNATURE_FILE } from "./manifest.ts";
import { verifyFiles } from "./verify.ts";

/** What an older generation brings to the menu: enough to boot it and to check it. */
export const CARRIED_FILES = ["boot/kernel.elf", "boot/initrd.tar", MANIFEST_FILE, SIGNATURE_FILE] as const;

/**
 * Copy each older generation's files out of its payload folder into `tree`
 * and write the menu. Each must be an older version of the system `own`
 * describes. Returns the names added and what image.json lists of each.
 */
export async function addOlderGenerations(tree: string, payloads: readonly { number: number; dir: string }[], own: Pick<Manifest, "system" | "version">): Promise<{ names: string[]; carried: CarriedGeneration[] }> {
  if (payloads.length === 0) return { names: [], carried: [] };
  const added: string[] = [];
  const menu: OlderGeneration[] = [];
  const carried: CarriedGeneration[] = [];
  for (const { number, dir } of payloads) {
    const bytes = await readFile(join(dir, MANIFEST_FILE));
    const manifest = manifestSchema.parse(JSON.parse(bytes.toString("utf8")));
    if (manifest.system !== own.system || manifest.version >= own.version) {
      throw new Error(`generation ${number} (system ${manifest.system}, version ${manifest.version}) is not an older version of ${own.system} ${own.version}`);
    }
    for (const name of CARRIED_FILES) {
      const target = join(tree, generationDir(number), name);
      await mkdir(dirname(target), { recursive: true });
      const copied = await cp(join(dir, name), target).then(() => true, () => name === SIGNATURE_FILE ? false : Promise.reject(new Error(`generation ${number}'s payload has no ${name}`)));
      if (copied) added.push(`${generationDir(number)}/${name}`);
    }
    menu.push({ number, system: manifest.system, configHash: manifest.configHash });
    carried.push({ number, version: manifest.version, manifestSha256: sha256Hex(bytes) });
  }
  await writeFile(join(tree, GENERATIONS_CFG), generationsConfig(menu));
  return { names: [...added, GENERATIONS_CFG].sort(), carried };
}

/** The files of the carried generations, for a reader that extracts only what it checks. */
export function carriedFiles(carried: readonly CarriedGeneration[]): string[] {
  if (carried.length === 0) return [];
  return [...carried.flatMap((g) => CARRIED_FILES.map((name) => `${generationDir(g.number)}/${name}`)), GENERATIONS_CFG];
}

/**
 * Check the older generations an image carries against the list its signed
 * image.json gives (`carried`): each one's files against its own manifest
 * and a trusted signature, that manifest against the listed hash, and each
 * an older version of the same system; then the menu against the one those
 * manifests give. Returns the problems (each naming its file) and the names
 * accounted for, which the image's own manifest does not list.
 */
export function verifyOlderGenerations(
  files: ReadonlyMap<string, Uint8Array>,
  trusted: readonly PublicKey[],
  carried: readonly CarriedGeneration[],
  own: Pick<Manifest, "system" | "version">,
): { problems: string[]; accounted: Set<string> } {
  const problems: string[] = [];
  const accounted = new Set<string>();
  const listed = new Map(carried.map((g) => [g.number, g] as const));
  const numbers = new Set<number>();
  for (const name of files.keys()) {
    const m = /^generations\/(\d+)\//.exec(name);
    if (m) numbers.add(Number(m[1]));
  }
  for (const n of numbers) if (!listed.has(n)) problems.push(`${generationDir(n)}/: carried, but not among the generations image.json lists`);
  const menu: OlderGeneration[] = [];
  for (const g of [...carried].sort((a, b) => a.number - b.number)) {
    const prefix = `${generationDir(g.number)}/`;
    const mine = new Map<string, Uint8Array>();
    for (const [name, data] of files) {
      if (!name.startsWith(prefix)) continue;
      mine.set(name.slice(prefix.length), data);
      accounted.add(name);
    }
    const report = verifyFiles(mine, trusted, { subset: true });
    problems.push(...report.problems.map((p) => `${prefix}${p}`));
    const manifest = report.manifest;
    if (!manifest) continue;
    if (sha256Hex(mine.get(MANIFEST_FILE)!) !== g.manifestSha256) problems.push(`${prefix}${MANIFEST_FILE}: differs from the one image.json lists`);
    if (manifest.system !== own.system) problems.push(`${prefix}${MANIFEST_FILE}: system ${manifest.system}, but this image is ${own.system}`);
    if (manifest.version !== g.version || manifest.version >= own.version) {
      problems.push(`${prefix}${MANIFEST_FILE}: version ${manifest.version} is not an older version than this image's ${own.version}`);
    }
    for (const name of CARRIED_FILES) if (name !== SIGNATURE_FILE && !mine.has(name)) problems.push(`${prefix}${name}: missing`);
    menu.push({ number: g.number, system: manifest.system, configHash: manifest.configHash });
  }
  const cfg = files.get(GENERATIONS_CFG);
  if (cfg !== undefined || carried.length > 0) {
    accounted.add(GENERATIONS_CFG);
    if (cfg === undefined) problems.push(`${GENERATIONS_CFG}: missing, though the image carries older generations`);
    else if (Buffer.from(cfg).toString("utf8") !== generationsConfig(menu)) problems.push(`${GENERATIONS_CFG}: differs from the menu the carried generations' manifests give`);
  }
  return { problems, accounted };
}
