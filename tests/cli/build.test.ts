// exo build end to end: a real clang build into a temporary store.
import test from "ava";
import { copyFile, readFile, readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SECTOR } from "../../generator/image/mbr.ts";
import { PARTITION_START } from "../../generator/image/raw.ts";
import { exo, fixture, profile, tempProject } from "../helpers/exo.ts";
import { readFat } from "../image/fat.ts";
import { effectiveMenu } from "../image/grub-menu.ts";

interface Event {
  schema: string;
  type: string;
  id?: string;
  path?: string;
  built?: number;
  reused?: number;
}

async function buildJson(cwd: string, file: string, extra: string[] = []): Promise<Event[]> {
  const r = await exo(["build", file, "--json", ...extra], { cwd });
  if (r.code !== 0) throw new Error(`exo build failed (${r.code}):\n${r.stderr}`);
  return r.stdout.trim().split("\n").map((line) => JSON.parse(line) as Event);
}

const pathOf = (events: Event[], id: string): string => events.find((e) => e.id === id && e.path)!.path!;

test("build leaves a result link to a signed bundle, and a no-op rebuild does no work", async (t) => {
  const dir = await tempProject();
  const first = await exo(["build", profile("server.ts")], { cwd: dir });
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout.trim(), /^store\/v1\/paths\/[0-9a-f]{32}-image-server$/);
  t.true((await readlink(join(dir, "result"))).endsWith(first.stdout.trim()));
  const verify = await exo(["verify", "result"], { cwd: dir });
  t.is(verify.code, 0, verify.stderr);
  t.regex(verify.stdout, /^result: signed by key [0-9a-f]{16} \(ML-DSA-65\): system server, version 0\n/);
  t.regex(verify.stdout, /result\/bundle\.tar: ok, \d+ files match the manifest/);

  const again = await exo(["build", profile("server.ts")], { cwd: dir });
  t.is(again.code, 0, again.stderr);
  t.regex(again.stderr, /nothing to build: all \d+ derivations reused from the store/);
  t.is(again.stdout, first.stdout);
  const events = await buildJson(dir, profile("server.ts"));
  t.is(events.filter((e) => e.type === "built").length, 0);
  t.true(events.every((e) => e.schema === "exo.build-event/v2"));
});

test("an option change changes the generated C and the kernel", async (t) => {
  const dir = await tempProject();
  const server = await buildJson(dir, profile("server.ts"));
  const smaller = await buildJson(dir, fixture("ring-1024.ts"));
  const paramOf = (events: Event[]) => readFile(join(dir, "store/v1/paths", pathOf(events, "kernel-sources"), "include/param.h"), "utf8");
  const [a, b] = [await paramOf(server), await paramOf(smaller)];
  t.regex(a, /EXO_IPC_RING_SLOTS\s+4096/);
  t.regex(b, /EXO_IPC_RING_SLOTS\s+1024/);
  t.not(pathOf(server, "kernel"), pathOf(smaller, "kernel"));
});

test("one scheduler option recompiles only the file that uses it, and the build info", async (t) => {
  const dir = await tempProject();
  await buildJson(dir, profile("server.ts"));
  const compiled = (events: Event[]) => events.filter((e) => e.type === "built" && e.id?.startsWith("obj:")).map((e) => e.id).sort();
  t.deepEqual(compiled(await buildJson(dir, fixture("sched-alpha.ts"))), ["obj:core/build_info.c", "obj:core/sched.c"]);
  t.deepEqual(compiled(await buildJson(dir, fixture("sched-timeslice.ts"))), ["obj:arch/x86_64/timer.c", "obj:core/build_info.c"]);
  t.deepEqual(compiled(await buildJson(dir, fixture("ring-1024.ts"))), ["obj:core/build_info.c", "obj:core/ipc.c"]);
});

test("image options (menu timeout, formats, boot-menu generations) rebuild only the payload and the image", async (t) => {
  const dir = await tempProject();
  const server = await buildJson(dir, profile("server.ts"));
  for (const [name, image] of [["timeout", "bootTimeoutSeconds: 7"], ["formats", "formats: !force [bundle, iso]"], ["menu", "bootMenuGenerations: 2"]]) {
    const file = join(dir, `${name}.yaml`);
    await writeFile(file, `imports:\n  - ${profile("server.ts")}\nimage:\n  ${image}\n`);
    const events = await buildJson(dir, file);
    const built = events.filter((e) => e.type === "built").map((e) => e.id).sort();
    t.deepEqual(built, ["image", "payload"], `image.${image}`);
    if (name !== "timeout") continue;
    // A plain `exo build` image offers no choice: its menu has one entry and does not wait, whatever bootTimeoutSeconds says.
    for (const [what, events_] of [["server.ts (bootTimeoutSeconds 1)", server], ["bootTimeoutSeconds 7", events]] as const) {
      const disk = await readFile(join(dir, "store/v1/paths", pathOf(events_, "image"), "disk.raw"));
      const esp = readFat(disk.subarray(PARTITION_START * SECTOR));
      const read = (path: string) => (esp.entries.some((e) => `/${e.path}` === path) ? esp.read(path.slice(1)).toString("utf8") : undefined);
      const menu = effectiveMenu(read("/boot/grub/grub.cfg")!, read);
      t.is(menu.titles.length, 1, what);
      t.regex(menu.titles[0]!, /^Exo server \(config [0-9a-f]{12}\)$/);
      t.is(menu.timeout, 0, what);
    }
  }
});

test("two builds in different stores give byte-identical bundles", async (t) => {
  const dir = await tempProject();
  const a = await exo(["build", profile("server.ts"), "--store", "store-a", "--out-link", "result-a"], { cwd: dir });
  const b = await exo(["build", profile("server.ts"), "--store", "store-b", "--out-link", "result-b", "--jobs", "1"], { cwd: dir });
  t.is(a.code, 0, a.stderr);
  t.is(b.code, 0, b.stderr);
  const [bytesA, bytesB] = await Promise.all([readFile(join(dir, "result-a/bundle.tar")), readFile(join(dir, "result-b/bundle.tar"))]);
  t.true(bytesA.equals(bytesB));
  t.is(a.stdout.replace("store-a", ""), b.stdout.replace("store-b", ""), "same content, same store path name");
});

test("verify fails naming the file when a byte of the kernel is flipped", async (t) => {
  const dir = await tempProject();
  t.is((await exo(["build", profile("server.ts")], { cwd: dir })).code, 0);
  const tampered = join(dir, "tampered.tar");
  await copyFile(join(dir, "result/bundle.tar"), tampered);
  const bytes = await readFile(tampered);
  const kernel = await readFile(join(dir, "result/kernel/boot/kernel.elf"));
  const at = bytes.indexOf(kernel) + 4096;
  bytes[at] = bytes[at]! ^ 0xff;
  await writeFile(tampered, bytes);
  // A bundle kept in the project folder, outside the store: --project vouches for the project's keys.
  const r = await exo(["verify", "tampered.tar", "--project", "."], { cwd: dir });
  t.is(r.code, 1);
  t.regex(r.stderr, /boot\/kernel\.elf: SHA-256 [0-9a-f]{64} differs from the manifest/);
  t.notRegex(r.stderr, /^\s+at /m);
  const json = await exo(["verify", "tampered.tar", "--json", "--project", "."], { cwd: dir });
  t.is(json.code, 1);
  const doc = JSON.parse(json.stdout) as { schema: string; ok: boolean; problems: string[] };
  t.is(doc.schema, "exo.verify/v1");
  t.false(doc.ok);
});

test("build without a signing key says how to make one", async (t) => {
  const dir = await tempProject();
  await writeFile(join(dir, "exo.config.ts"), `export default { keys: { secretKey: "keys/missing.key", trusted: [] } };\n`);
  const missing = await exo(["build", profile("server.ts")], { cwd: dir });
  t.is(missing.code, 1);
  t.regex(missing.stderr, /no signing key at keys\/missing\.key/);
  t.regex(missing.stderr, /exo keygen/);
});
