// A prebuilt program taken from a Debian package of the build host
// (`prebuilt.debian`), as pkgs/busybox takes busybox-static's /bin/busybox:
// read only as its pinned SHA-256, a regular file of bounded size; a
// mismatch, a missing file, a fifo and a loop of links are errors naming
// the manifest, the path and what was expected. And applet links: each
// `links` name is /exo/bin/<name>, and two packages claiming one is an error.
import test from "ava";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageSourcesBuilder } from "../../generator/builders/package.ts";
import { ExoError, ExoErrors } from "../../generator/errors.ts";
import { packageRecord, showText } from "../../generator/packages/describe.ts";
import { packageFiles } from "../../generator/packages/files.ts";
import { loadPackage } from "../../generator/packages/manifest.ts";
import { resolvePackages } from "../../generator/packages/resolve.ts";
import { imagePackages } from "../../generator/plan/image-packages.ts";
import type { Config } from "../../schemas/index.ts";
import { REPO } from "../helpers/exo.ts";

const sha256 = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");
const NOT_INSTALLED = "exo-test-no-such-package";
/** What imagePackages reads of a config: whether IPC is on. */
const CONFIG = { kernel: { ipc: { enable: true } } } as unknown as Config;

async function scratch(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "exo-debian-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A package folder `name` under `root` whose program is the host file `path` of Debian package `debian`, pinned at `pin`. */
async function debianPackage(root: string, name: string, debian: string, path: string, pin: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${name}.exopkg`), `package: { name: ${name}, version: 1.0.0, description: A host program., license: MIT }\nprebuilt:\n  debian: { package: ${debian}, path: ${path} }\n  sha256: \"${pin}\"\n`);
  return dir;
}

async function refusal(promise: Promise<unknown>): Promise<ExoError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ExoError)) throw new Error(`expected an ExoError, got ${String(error)}`);
  return error;
}

test("pkgs/busybox takes this machine's /bin/busybox, as pinned, into its sources tree under the Debian package's name", async (t) => {
  const pkg = await loadPackage(join(REPO, "pkgs/busybox"));
  t.deepEqual(pkg.manifest.prebuilt?.debian, { package: "busybox-static", path: "/bin/busybox" });
  const files = await packageFiles(pkg);
  t.is(files.prebuilt?.sha256, sha256(await readFile("/bin/busybox")));
  t.deepEqual(files.prebuilt?.host, { debian: "busybox-static", path: "/bin/busybox" });
  t.is(files.prebuilt?.path, "debian/busybox-static/bin/busybox");
  t.is(files.interpreter, undefined, "an ELF has no #! line");
  t.true(pkg.manifest.links.includes("sh"));
});

test("a host file whose hash is not the pinned one is refused, with both hashes, the path and the installed version", async (t) => {
  const root = await scratch(t);
  const program = join(root, "prog");
  await writeFile(program, "\x7fELF not really\n");
  const pin = "0".repeat(64);
  const error = await refusal(packageFiles(await loadPackage(await debianPackage(root, "hostprog", NOT_INSTALLED, program, pin))));
  t.regex(error.message, /hostprog\.exopkg: `prebuilt\.debian`/);
  t.true(error.message.includes(`${program} (Debian package ${NOT_INSTALLED}, not installed) has SHA-256 ${sha256("\x7fELF not really\n")}, but the manifest pins ${pin}`), error.message);
  t.regex(error.hint ?? "", new RegExp(`apt-get install ${NOT_INSTALLED}`));
  // The package busybox-static is installed (scripts/setup.sh): its version is named, as dpkg-query says.
  const version = execFileSync("dpkg-query", ["-W", "-f", "${Version}", "busybox-static"], { encoding: "utf8" });
  const other = await refusal(packageFiles(await loadPackage(await debianPackage(root, "other", "busybox-static", program, pin))));
  t.true(other.message.includes(`(Debian package busybox-static, version ${version})`), other.message);
  t.regex(other.hint ?? "", /scripts\/setup\.sh installs busybox-static/);
});

test("a missing host file names the Debian package that would install it", async (t) => {
  const root = await scratch(t);
  const absent = join(root, "absent/prog");
  const error = await refusal(packageFiles(await loadPackage(await debianPackage(root, "hostprog", NOT_INSTALLED, absent, "0".repeat(64)))));
  t.true(error.message.includes(`${absent} does not exist: the Debian package ${NOT_INSTALLED} is not installed`), error.message);
  t.is(error.hint, `apt-get install ${NOT_INSTALLED}`);
  const busybox = await refusal(packageFiles(await loadPackage(await debianPackage(root, "bb", "busybox-static", absent, "0".repeat(64)))));
  t.regex(busybox.message, /the Debian package busybox-static 1:1\.35[^ ]* is installed, but not this file/);
  t.regex(busybox.hint ?? "", /^scripts\/setup\.sh installs busybox-static; or apt-get install busybox-static$/);
});

test("a fifo, a folder and a loop of links are refused without blocking on the fifo", async (t) => {
  const root = await scratch(t);
  const fifo = join(root, "fifo");
  execFileSync("mkfifo", [fifo]);
  const pin = "0".repeat(64);
  t.regex((await refusal(packageFiles(await loadPackage(await debianPackage(root, "f", NOT_INSTALLED, fifo, pin))))).message, new RegExp(`${fifo} is not a regular file \\(a fifo\\)`));
  t.regex((await refusal(packageFiles(await loadPackage(await debianPackage(root, "d", NOT_INSTALLED, root, pin))))).message, /is not a regular file \(a folder\)/);
  await symlink(join(root, "b"), join(root, "a"));
  await symlink(join(root, "a"), join(root, "b"));
  const loop = await refusal(packageFiles(await loadPackage(await debianPackage(root, "l", NOT_INSTALLED, join(root, "a"), pin))));
  t.true(loop.message.includes(`${join(root, "a")} is a loop of symbolic links`), loop.message);
  // A link to a regular file is followed: Debian's /bin is a link to /usr/bin on merged systems.
  await writeFile(join(root, "real"), "#!/exo/bin/sh\necho hi\n");
  await symlink(join(root, "real"), join(root, "to-real"));
  const files = await packageFiles(await loadPackage(await debianPackage(root, "ok", NOT_INSTALLED, join(root, "to-real"), sha256("#!/exo/bin/sh\necho hi\n"))));
  t.deepEqual(files.interpreter, { path: "/exo/bin/sh" }, "a prebuilt script is a script");
});

test("prebuilt names one file, in the folder or of a Debian package, by an absolute host path", async (t) => {
  const root = await scratch(t);
  const both = await debianPackage(root, "both", "busybox-static", "/bin/busybox", "0".repeat(64));
  await writeFile(join(both, "both.exopkg"), `package: { name: both, version: 1.0.0, description: Both., license: MIT }\nprebuilt: { file: bin/x, debian: { package: busybox-static, path: /bin/busybox }, sha256: \"${"0".repeat(64)}\" }\n`);
  const e1 = await refusal(loadPackage(both));
  t.regex(e1.message, /either `file` .* or `debian` .*, exactly one/);
  const relative = await debianPackage(root, "rel", "busybox-static", "bin/busybox", "0".repeat(64));
  const e2 = await refusal(loadPackage(relative));
  const messages = e2 instanceof ExoErrors ? e2.errors.map((e) => e.message) : [e2.message];
  t.true(messages.some((m) => /`prebuilt\.debian\.path`: an absolute path on the build host/.test(m)), messages.join("\n"));
});

test("the sources builder refuses a host file that no longer has the planned hash, and writes nothing", async (t) => {
  const root = await scratch(t);
  await writeFile(join(root, "prog"), "changed\n");
  const out = join(root, "out");
  await mkdir(out);
  const builder = packageSourcesBuilder(new Map([["hostprog@1.0.0", join(root, "pkg")]]));
  const files = [{ path: `debian/${NOT_INSTALLED}${join(root, "prog")}`, sha256: "1".repeat(64), host: { debian: NOT_INSTALLED, path: join(root, "prog") } }];
  const error = await refusal(builder.run({ out, tmp: root, inputs: {}, args: { package: "hostprog@1.0.0", files }, log: () => {} }));
  t.regex(error.message, /changed while the build ran/);
  t.deepEqual(await readdir(out), []);
});

/** A fake program package `name` (a prebuilt file of its folder) with `links`. */
async function linked(root: string, name: string, links: readonly string[]): Promise<string> {
  const dir = join(root, name);
  await mkdir(join(dir, "bin"), { recursive: true });
  const bytes = `\x7fELF ${name}\n`;
  await writeFile(join(dir, "bin/prog"), bytes);
  await writeFile(join(dir, `${name}.exopkg`), `package: { name: ${name}, version: 1.0.0, description: Links., license: MIT }\nprebuilt: { file: bin/prog, sha256: \"${sha256(bytes)}\" }\nlinks: [${links.join(", ")}]\n`);
  return dir;
}

test("links are /exo/bin names of the chosen program; two packages claiming one name is an error naming both", async (t) => {
  const root = await scratch(t);
  const box = await loadPackage(await linked(root, "box", ["sh", "ls"]));
  const other = await loadPackage(await linked(root, "other", ["ls"]));
  const sh = await loadPackage(await linked(root, "sh", []));
  const one = await resolvePackages(["box"], [box, other, sh]);
  const layout = imagePackages(CONFIG, one, one);
  t.deepEqual(layout.links, [
    { name: "box", target: "../apps/box/1.0.0/bin/box" },
    { name: "ls", target: "../apps/box/1.0.0/bin/box" },
    { name: "sh", target: "../apps/box/1.0.0/bin/box" },
  ]);
  const clash = await resolvePackages(["box", "other"], [box, other, sh]);
  t.throws(() => imagePackages(CONFIG, clash, clash), { message: "/exo/bin/ls is claimed by two packages: box@1.0.0 (its links) and other@1.0.0 (its links)" });
  const named = await resolvePackages(["box", "sh"], [box, other, sh]);
  t.throws(() => imagePackages(CONFIG, named, named), { message: "/exo/bin/sh is claimed by two packages: sh@1.0.0 (its program) and box@1.0.0 (its links)" });
  const self = await loadPackage(await linked(root, "selfish", ["selfish"])).catch((e: unknown) => e);
  t.true(self instanceof ExoError && /`links\.0`: \/exo\/bin\/selfish is the program itself already/.test(self.message), String(self));
});

test("exo show busybox names the Debian file it is taken from and its links", async (t) => {
  const { manifest } = await loadPackage(join(REPO, "pkgs/busybox"));
  const text = showText(packageRecord(manifest));
  t.true(text.includes(`  sources: prebuilt /bin/busybox of the Debian package busybox-static (sha256 ${manifest.prebuilt!.sha256})\n`), text);
  t.true(text.includes(`  links: ${manifest.links.map((l) => `/exo/bin/${l}`).join(", ")} (to /exo/bin/busybox)\n`), text);
  t.regex(text, /^ {2}sandbox: capabilities [^\n]*\bprocess\b/m);
});
