// Rollback at boot: an ISO made by `exo switch` offers the newest older
// generations after its own entry; picking one over the serial console boots
// that generation's kernel, and `exo verify` checks what the menu carries.
import test from "ava";
import { join } from "node:path";
import { boot } from "../../generator/run/qemu.ts";
import { checkImage } from "../../generator/image/read.ts";
import { withTempDir } from "../../generator/temp.ts";
import { GENERATIONS_CFG } from "../../generator/image/grub-cfg.ts";
import { verifyOlderGenerations } from "../../generator/image/older-generations.ts";
import { loadPublicKey } from "../../generator/sign/keys.ts";
import { exo } from "../helpers/exo.ts";
import { effectiveMenu } from "../image/grub-menu.ts";
import { generationsProject } from "./setup.ts";

interface Listing {
  generations: { number: number; configHash: string; systemHash: string; storePath: string }[];
}

const projectP = (async () => {
  const dir = await generationsProject();
  // menu.yaml offers 2 generations: the third image carries the second, not the first.
  for (const profile of ["menu.yaml", "menu-changed.yaml", "menu.yaml"]) {
    const r = await exo(["switch", profile], { cwd: dir });
    if (r.code !== 0) throw new Error(`switch ${profile} failed: ${r.stderr}`);
  }
  const list = JSON.parse((await exo(["generations", "--json"], { cwd: dir })).stdout) as Listing;
  const iso = (n: number) => join(dir, "store/v1/paths", list.generations[n - 1]!.storePath, "exo.iso");
  // The banner prints the system hash (every option but image.*), which the generation records.
  return { dir, hash: (n: number) => list.generations[n - 1]!.systemHash, iso };
})();

/** The menu GRUB makes of an image's grub.cfg and the generations.cfg beside it. */
async function menuOf(dir: string, iso: string) {
  const trusted = [await loadPublicKey(join(dir, "keys/test.pub"))];
  const checked = await withTempDir("test", (workDir) => checkImage(iso, trusted, { workDir }));
  const files = checked.formats[0]!.files;
  const read = (path: string) => {
    const data = files.get(path.replace(/^\//, ""));
    return data === undefined ? undefined : Buffer.from(data).toString("utf8");
  };
  return effectiveMenu(read("/boot/grub/grub.cfg")!, read);
}

test.serial("the first generation's menu has one entry and does not wait; the third's offers two and waits bootTimeoutSeconds", async (t) => {
  const { dir, iso } = await projectP;
  // menu.yaml sets image.bootTimeoutSeconds = 3: it applies only once there is a choice.
  const first = await menuOf(dir, iso(1));
  t.is(first.titles.length, 1);
  t.is(first.timeout, 0);
  const third = await menuOf(dir, iso(3));
  t.is(third.titles.length, 2);
  t.regex(third.titles[0]!, /^Exo gen \(config [0-9a-f]{12}\)$/);
  t.regex(third.titles[1]!, /^Exo gen generation 2 \(config [0-9a-f]{12}\)$/);
  t.is(third.timeout, 3);
});

test.serial("a menu of one entry is not shown: GRUB boots it at once", async (t) => {
  const { hash, iso } = await projectP;
  const r = await boot({ kind: "iso", file: iso(1) }, { qemu: "qemu-system-x86_64", timeoutMs: 120_000 });
  t.is(r.kernelStatus, 0, r.output);
  t.true(r.output.includes(`exo: config ${hash(1)}`), r.output);
  const grub = r.output.slice(0, r.output.indexOf("exo: booting "));
  t.false(grub.includes("GNU GRUB"), "the menu was drawn");
  t.notRegex(grub, /executed automatically in \d+s/);
});

test.serial("the menu's default entry is the generation itself", async (t) => {
  const { hash, iso } = await projectP;
  const r = await boot({ kind: "iso", file: iso(3) }, { qemu: "qemu-system-x86_64", timeoutMs: 120_000 });
  t.is(r.kernelStatus, 0, r.output);
  t.regex(r.output, /Exo gen generation 2 \(config [0-9a-f]{12}\)/);
  t.true(r.output.includes("GNU GRUB"), "the menu is drawn");
  t.regex(r.output, /executed automatically in 3s/, "the menu counts down image.bootTimeoutSeconds");
  t.notRegex(r.output, /generation 1 \(/, "image.bootMenuGenerations = 2 offers one older generation");
  t.true(r.output.includes(`exo: config ${hash(3)}`), r.output);
});

test.serial("picking the older entry at the boot menu boots that generation", async (t) => {
  const { hash, iso } = await projectP;
  t.not(hash(2), hash(3));
  // Ctrl-N moves to the next menu entry, Enter boots it.
  const input = { after: "generation 2 (config", send: "\x0e\r" };
  const r = await boot({ kind: "iso", file: iso(3) }, { qemu: "qemu-system-x86_64", timeoutMs: 120_000, input });
  t.is(r.kernelStatus, 0, r.output);
  t.true(r.output.includes(`exo: config ${hash(2)}`), r.output);
  t.false(r.output.includes(`exo: config ${hash(3)}`));
  t.regex(r.output, /exo: ipc: fusion rings, 1024 slots/);
});

test.serial("exo verify checks the older generations an image carries, and their menu", async (t) => {
  const { dir, iso } = await projectP;
  const r = await exo(["verify", iso(3)], { cwd: dir });
  t.is(r.code, 0, r.stderr + r.stdout);

  const trusted = [await loadPublicKey(join(dir, "keys/test.pub"))];
  const checked = await withTempDir("test", (workDir) => checkImage(iso(3), trusted, { workDir }));
  const image = checked.formats[0]!;
  t.true(checked.ok, [...checked.problems, ...image.problems].join("\n"));
  t.deepEqual(checked.image!.generations.map((g) => [g.number, g.version]), [[2, 2]], "image.json lists the carried generation and its version");
  t.true(image.files.has("generations/2/boot/kernel.elf"));
  const own = { system: checked.head!.system, version: checked.head!.version };
  const kernel = new Map(image.files);
  const bytes = Uint8Array.from(kernel.get("generations/2/boot/kernel.elf")!);
  bytes[200] = bytes[200]! ^ 1;
  kernel.set("generations/2/boot/kernel.elf", bytes);
  t.regex(verifyOlderGenerations(kernel, trusted, checked.image!.generations, own).problems.join("\n"), /generations\/2\/boot\/kernel\.elf: SHA-256 [0-9a-f]{64} differs/);
  const menu = new Map(image.files);
  menu.set(GENERATIONS_CFG, Buffer.from(`${Buffer.from(menu.get(GENERATIONS_CFG)!).toString()}set default=1\n`));
  t.deepEqual(verifyOlderGenerations(menu, trusted, checked.image!.generations, own).problems, [`${GENERATIONS_CFG}: differs from the menu the carried generations' manifests give`]);
  // A carried generation must be older than the image that carries it: the same files offered to an older image are refused.
  t.regex(verifyOlderGenerations(image.files, trusted, checked.image!.generations, { ...own, version: 2 }).problems.join("\n"), /version 2 is not an older version than this image's 2/);
});
