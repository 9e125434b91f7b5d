// Freshness and binding: a correctly signed but older build (a replay or a
// downgrade), an image for another system, an expired one, and older
// generations smuggled into a boot menu are all refused.
import test from "ava";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256Hex } from "../../store/hash.ts";
import { verifyOlderGenerations } from "../../generator/image/older-generations.ts";
import { makeManifest, manifestBytes } from "../../generator/image/manifest.ts";
import { generateKeyPair, loadPublicKey, loadSecretKey } from "../../generator/sign/keys.ts";
import { signatureBytes, signManifest } from "../../generator/sign/signature.ts";
import { exo, fixture, tempProject } from "../helpers/exo.ts";
import { Tally } from "./corpus.ts";

const tally = new Tally();
let dir = "";

test.before(async () => {
  dir = await tempProject({ sharedStore: true });
  for (const version of ["1", "2"]) {
    const r = await exo(["build", fixture("bundle-only.ts"), "--version", version, "--out-link", `v${version}`], { cwd: dir });
    if (r.code !== 0) throw new Error(r.stderr);
  }
});

test.after.always((t) => {
  for (const line of tally.lines()) t.log(line);
});

test.serial("once version 2 is seen, version 1 of the same system is refused as a replay, unless the downgrade is explicit", async (t) => {
  const v2 = await exo(["verify", "v2"], { cwd: dir });
  t.is(v2.code, 0, v2.stderr);
  t.regex(v2.stdout, /system bundle, version 2/);
  const v1 = await exo(["verify", "v1"], { cwd: dir });
  tally.add("replay and downgrade", v1.code === 1);
  t.is(v1.code, 1);
  t.regex(v1.stderr, /^error\[ERR_EXO_VERIFY\]: v1 failed verification:\n  - version 1 of system 'bundle' is older than version 2, seen before: a downgrade or a replay\nhint: to go back on purpose, pass --allow-downgrade/);
  const boot = await exo(["run", "v1"], { cwd: dir });
  tally.add("replay and downgrade", boot.code === 1);
  t.is(boot.code, 1);
  t.regex(boot.stderr, /refusing to boot/);
  t.is(boot.stdout, "", "nothing booted");
  t.is((await exo(["verify", "v1", "--allow-downgrade"], { cwd: dir })).code, 0);
  t.is((await exo(["verify", "v2"], { cwd: dir })).code, 0, "the newest stays accepted");
});

test.serial("--system and --min-version bind an image to what the caller expects", async (t) => {
  const system = await exo(["verify", "v2", "--system", "server"], { cwd: dir });
  tally.add("binding", system.code === 1);
  t.is(system.code, 1);
  t.regex(system.stderr, /the image is built for system 'bundle', but --system asks for 'server'/);
  const min = await exo(["verify", "v2", "--min-version", "3"], { cwd: dir });
  tally.add("binding", min.code === 1);
  t.is(min.code, 1);
  t.regex(min.stderr, /version 2 of system 'bundle' is below --min-version 3/);
  t.is((await exo(["verify", "v2", "--system", "bundle", "--min-version", "2"], { cwd: dir })).code, 0);
  const bad = await exo(["verify", "v2", "--min-version", "two"], { cwd: dir });
  t.is(bad.code, 1);
  t.regex(bad.stderr, /option --min-version expects a whole number, got 'two'/);
});

test("an image past its expiry is refused, naming the time", async (t) => {
  const project = await tempProject({ sharedStore: true });
  const profile = join(project, "expiring.yaml");
  await writeFile(profile, `imports:\n  - ${fixture("bundle-only.ts")}\nimage:\n  sourceDateEpoch: 1700000000\n  validForDays: 30\n`);
  t.is((await exo(["build", profile], { cwd: project })).code, 0);
  const r = await exo(["verify", "result"], { cwd: project });
  tally.add("expiry", r.code === 1);
  t.is(r.code, 1);
  t.regex(r.stderr, /the image expired at 2023-12-14T22:13:20\.000Z/);
  t.regex(r.stderr, /hint: build the image again with a later image\.sourceDateEpoch/);
});

test("image.sourceDateEpoch is bounded to the dates FAT and ISO 9660 can store", async (t) => {
  const project = await tempProject({ sharedStore: true });
  for (const [epoch, message] of [["1", /at least 315532800 \(1980-01-01\)/], ["4354819200", /at most 4354819199/]] as const) {
    const profile = join(project, `epoch-${epoch}.yaml`);
    await writeFile(profile, `imports:\n  - ${fixture("bundle-only.ts")}\nimage:\n  sourceDateEpoch: ${epoch}\n`);
    const r = await exo(["eval", profile], { cwd: project });
    t.is(r.code, 1, r.stderr);
    t.regex(r.stderr, message);
  }
});

test("a boot menu may carry only older versions of the same system that its signed image.json lists", async (t) => {
  const keys = await mkdtemp(join(tmpdir(), "exo-menu-"));
  await generateKeyPair(join(keys, "k.key"), join(keys, "k.pub"));
  const secret = await loadSecretKey(join(keys, "k.key"));
  const trusted = [await loadPublicKey(join(keys, "k.pub"))];
  const kernel = Buffer.from("old kernel");
  const initrd = Buffer.from("old initrd");
  const carried = (number: number, system: string, version: number) => {
    const manifest = manifestBytes(makeManifest({ system, arch: "x86_64", configHash: "a".repeat(64), version, created: 315532800, expires: null }, [{ path: "boot/kernel.elf", data: kernel }, { path: "boot/initrd.tar", data: initrd }]));
    const files = new Map<string, Uint8Array>([
      [`generations/${number}/boot/kernel.elf`, kernel],
      [`generations/${number}/boot/initrd.tar`, initrd],
      [`generations/${number}/manifest.json`, manifest],
      [`generations/${number}/manifest.sig`, signatureBytes(signManifest(manifest, secret))],
    ]);
    return { files, entry: { number, version, manifestSha256: sha256Hex(manifest) } };
  };
  const own = { system: "server", version: 5 };
  const cases: [string, ReturnType<typeof carried>, boolean, RegExp][] = [
    ["a signed older build not listed in image.json", carried(3, "server", 3), false, /generations\/3\/: carried, but not among the generations image\.json lists/],
    ["a newer build of the same system", carried(6, "server", 6), true, /version 6 is not an older version than this image's 5/],
    ["the same version", carried(5, "server", 5), true, /version 5 is not an older version than this image's 5/],
    ["an older build of another system", carried(2, "edge", 2), true, /system edge, but this image is server/],
  ];
  for (const [what, c, listed, expect] of cases) {
    const problems = verifyOlderGenerations(c.files, trusted, listed ? [c.entry] : [], own).problems.join("\n");
    tally.add("menu injection", problems.length > 0);
    t.regex(problems, expect, what);
  }
  const fine = carried(4, "server", 4);
  t.deepEqual(verifyOlderGenerations(fine.files, trusted, [fine.entry], own).problems.filter((p) => !p.startsWith("boot/grub/generations.cfg")), []);
});
