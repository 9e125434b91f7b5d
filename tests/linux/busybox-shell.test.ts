// Issue 15: Debian's busybox-static, taken unmodified as a package (pkgs/busybox,
// pinned by its SHA-256), is /exo/bin/sh and its applets; a service that is a
// shell script (examples/shell-demo, #!/exo/bin/sh) runs under it, and its
// output is checked line by line: echo, $?, sh -c, a pipeline through sort
// and grep, sed, redirections into /tmp, a data file and a second script read
// from the initrd. What depends on the image (how many names /exo/bin holds,
// the data file's lines) is read from the built initrd, not written here.
import test from "ava";
import { createHash } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import { unpackTar, type UnpackedTar } from "../../generator/image/tar.ts";
import { exo, profile, REPO, tempProject } from "../helpers/exo.ts";

const PROFILE = profile("busybox.ts");

interface Built {
  readonly dir: string;
  readonly build: { readonly code: number; readonly stderr: string };
  readonly initrd?: UnpackedTar;
}

let built: Promise<Built> | undefined;

/** Build the profile once, in a project of its own, and read its initrd. */
function buildOnce(): Promise<Built> {
  built ??= (async () => {
    const dir = await tempProject({ sharedStore: true });
    const build = await exo(["build", PROFILE, "--out-link", "result"], { cwd: dir });
    if (build.code !== 0) return { dir, build };
    const closure = await exo(["store", "path-info", "--closure", "result"], { cwd: dir });
    const initrdPath = closure.stdout.split("\n").find((l) => /-initrd-busybox$/.test(l));
    if (initrdPath === undefined) return { dir, build: { code: 1, stderr: `no initrd in the closure:\n${closure.stdout}${closure.stderr}` } };
    return { dir, build, initrd: await unpackTar(await readFile(join(dir, "store/v1/paths", initrdPath, "initrd.tar"))) };
  })();
  return built;
}

test.after.always(async () => {
  if (built) await rm((await built).dir, { recursive: true, force: true });
});

const busyboxManifest = async () => parse(await readFile(join(REPO, "pkgs/busybox/busybox.exopkg"), "utf8")) as { package: { version: string }; prebuilt: { sha256: string }; links: string[] };

test("the busybox profile builds: busybox as pinned, /exo/bin/sh and the applets link to it, the script and its data are in the initrd", async (t) => {
  const { build, initrd } = await buildOnce();
  t.is(build.code, 0, build.stderr);
  const manifest = await busyboxManifest();
  const program = `exo/apps/busybox/${manifest.package.version}/bin/busybox`;
  const busybox = initrd!.entries.find((e) => e.name === program);
  t.truthy(busybox, initrd!.entries.map((e) => e.name).join(" "));
  t.is(createHash("sha256").update(busybox!.data).digest("hex"), manifest.prebuilt.sha256, "busybox enters the image unmodified");
  t.true(manifest.links.includes("sh"));
  for (const name of ["busybox", ...manifest.links]) {
    t.deepEqual(initrd!.symlinks.find((l) => l.name === `exo/bin/${name}`), { name: `exo/bin/${name}`, linkTarget: `../apps/busybox/${manifest.package.version}/bin/busybox` }, name);
  }
  const script = initrd!.entries.find((e) => e.name === "exo/apps/shell-demo/0.1.0/bin/shell-demo");
  t.is(script?.data.toString().split("\n")[0], "#!/exo/bin/sh");
  for (const file of ["fruits.txt", "lib.sh", "child.sh"]) {
    const shipped = await readFile(join(REPO, "examples/shell-demo", file));
    t.deepEqual(initrd!.entries.find((e) => e.name === `exo/share/shell-demo/${file}`)?.data, shipped, file);
    t.deepEqual(initrd!.entries.find((e) => e.name === `exo/apps/shell-demo/0.1.0/share/${file}`)?.data, shipped, file);
  }
  const services = initrd!.entries.find((e) => e.name === "etc/exo/services")!.data.toString();
  t.regex(services, /^shell-demo shell-demo@0\.1\.0 task no \/exo\/bin\/shell-demo$/m);
});

// Awaits the kernel's side of issue 15 (fork, execve with #!, wait4, pipes, tmpfs /tmp).
test("the shell-demo service runs under busybox's sh, and prints what each shell feature did", async (t) => {
  const { dir, build, initrd } = await buildOnce();
  t.is(build.code, 0, build.stderr);
  // `ls /exo/bin | wc -l`: every name directly in exo/bin, file or link.
  const inBin = (name: string) => /^exo\/bin\/[^/]+$/.test(name);
  const binCount = new Set([...initrd!.entries, ...initrd!.symlinks].map((e) => e.name).filter(inBin)).size;
  const fruits = initrd!.entries.find((e) => e.name === "exo/share/shell-demo/fruits.txt")!.data.toString().trimEnd().split("\n");

  const r = await exo(["run", PROFILE, "--timeout", "120"], { cwd: dir });
  t.is(r.code, 0, r.stderr + r.stdout);
  const lines = r.stdout.split("\n").map((l) => l.replace(/\r$/, "")).filter((l) => l.startsWith("shell-demo: "));
  t.deepEqual(lines, [
    "shell-demo: echo: hello from /exo/bin/shell-demo",
    "shell-demo: status after false: 1",
    "shell-demo: status after true: 0",
    "shell-demo: sh -c: inner",
    `shell-demo: ls /exo/bin | wc -l: ${binCount}`,
    "shell-demo: sorted: apple",
    "shell-demo: sorted: pear",
    "shell-demo: sed: bAnana",
    "shell-demo: /tmp/f: x",
    "shell-demo: /tmp/f: y",
    "shell-demo: wc -l < /tmp/f: 2",
    ...fruits.map((f) => `shell-demo: fruits.txt: ${f}`),
    "shell-demo: sourced: hello, sourced",
    "shell-demo: child: 2 arguments, first one, last two",
    "shell-demo: child status: 3",
    "shell-demo: done",
  ], r.stdout);
  t.notRegex(r.stdout, /^sandbox: shell-demo@0\.1\.0 .*denied/m);
  t.regex(r.stdout, /^init: shell-demo exited with status 0$/m);
  t.regex(r.stdout, /^init: 1 service, 0 failed$/m);
});
