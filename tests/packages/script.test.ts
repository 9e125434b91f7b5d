// Programs that are scripts (manifest `script`, or a prebuilt file starting
// with `#!`): the first line is checked when the package is read (`#!/`, an
// absolute interpreter, a newline, no carriage return), and when an image is
// planned its interpreter must be a program of that image, not a script.
import test from "ava";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExoError, ExoErrors } from "../../generator/errors.ts";
import { packageFiles } from "../../generator/packages/files.ts";
import { type LoadedPackage, loadPackage } from "../../generator/packages/manifest.ts";
import { resolvePackages } from "../../generator/packages/resolve.ts";
import { interpreterOf } from "../../generator/packages/script.ts";
import { imagePackages } from "../../generator/plan/image-packages.ts";
import type { Config } from "../../schemas/index.ts";

const CONFIG = { kernel: { ipc: { enable: true } } } as unknown as Config;

async function scratch(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "exo-script-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A package `name` under `root` whose program is the script `text`; `extra` is more manifest. */
async function scriptPackage(root: string, name: string, text: string, extra = ""): Promise<LoadedPackage> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "main.sh"), text);
  await writeFile(join(dir, `${name}.exopkg`), `package: { name: ${name}, version: 1.0.0, description: A script., license: MIT }\nscript: main.sh\n${extra}`);
  return loadPackage(dir);
}

/** A stand-in for busybox: a prebuilt "ELF" linked as sh. */
async function shell(root: string): Promise<LoadedPackage> {
  const dir = join(root, "shell");
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "prog"), "\x7fELF\n");
  const { createHash } = await import("node:crypto");
  await writeFile(join(dir, "shell.exopkg"), `package: { name: shell, version: 2.0.0, description: A shell., license: MIT }\nprebuilt: { file: prog, sha256: "${createHash("sha256").update("\x7fELF\n").digest("hex")}" }\nlinks: [sh]\n`);
  return loadPackage(dir);
}

async function refusal(promise: Promise<unknown>): Promise<ExoError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ExoError)) throw new Error(`expected an ExoError, got ${String(error)}`);
  return error;
}

test("a #! line gives the interpreter and at most one argument, as the kernel passes them", (t) => {
  t.deepEqual(interpreterOf(Buffer.from("#!/exo/bin/sh\necho\n"), "x"), { path: "/exo/bin/sh" });
  t.deepEqual(interpreterOf(Buffer.from("#!/exo/bin/env  awk -f \nBEGIN {}\n"), "x"), { path: "/exo/bin/env", arg: "awk -f" });
  t.is(interpreterOf(Buffer.from("\x7fELF"), "x"), undefined);
  t.is(interpreterOf(Buffer.from("echo no line\n"), "x"), undefined);
});

test("a script's first line must be #! and an absolute interpreter, ended by a newline", async (t) => {
  const root = await scratch(t);
  const cases: [string, string, RegExp][] = [
    ["noshebang", "echo hi\n", /`script`: main\.sh does not start with `#!`/],
    ["relative", "#!sh\necho hi\n", /`script`: main\.sh: its first line names the interpreter "sh", which is not an absolute path/],
    ["spaced", "#! /exo/bin/sh\necho hi\n", /which is not an absolute path/],
    ["crlf", "#!/exo/bin/sh\r\necho hi\r\n", /ends with a carriage return/],
    ["long", `#!/exo/bin/${"x".repeat(300)}\n`, /has no newline within 256 bytes/],
    ["dotdot", "#!/exo/../bin/sh\n", /through '\.\.'/],
  ];
  for (const [name, text, message] of cases) {
    const error = await refusal(packageFiles(await scriptPackage(root, name, text)));
    t.regex(error.message, message, name);
    t.true(error.message.includes(`${name}.exopkg`), error.message);
  }
  const good = await packageFiles(await scriptPackage(root, "good", "#!/exo/bin/sh -e\necho hi\n"));
  t.deepEqual(good.interpreter, { path: "/exo/bin/sh", arg: "-e" });
  t.is(good.prebuilt?.path, "main.sh", "the script is the program, taken as is");
});

test("a script is the program: not beside sources or a prebuilt file, and never a library's", async (t) => {
  const root = await scratch(t);
  const messages = async (extra: string, kind = "") => {
    const dir = join(root, `p${Math.random().toString(36).slice(2, 8)}`);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "main.sh"), "#!/exo/bin/sh\n");
    await writeFile(join(dir, "p.exopkg"), `package: { name: p, version: 1.0.0, description: P., license: MIT${kind} }\nscript: main.sh\n${extra}`);
    const e = await refusal(loadPackage(dir));
    return (e instanceof ExoErrors ? e.errors : [e]).map((x) => x.message).join("\n");
  };
  t.regex(await messages("sources: [main.c]\n"), /`script`: a package has sources or a script, not both/);
  t.regex(await messages("headers: [p.h]\n", ", kind: library"), /`script`: a library is built from its sources/);
  t.regex(await messages("build: { toolchain: musl }\n"), /a script is not built/);
});

test("planning an image refuses a script whose interpreter no package of it provides, and suggests busybox", async (t) => {
  const root = await scratch(t);
  const sh = await shell(root);
  const binSh = await scriptPackage(root, "binsh", "#!/bin/sh\necho hi\n");
  const alone = await resolvePackages(["binsh"], [binSh, sh]);
  const missing = t.throws<ExoError>(() => imagePackages(CONFIG, alone, alone), {
    message: new RegExp(`^binsh@1\\.0\\.0: .*binsh\\.exopkg: script main\\.sh runs /bin/sh \\(its #! line\\), but no package of the image provides /bin/sh$`),
  });
  t.regex(missing?.hint ?? "", /did you mean to install busybox\? It provides \/exo\/bin\/sh/);
  // With the shell in the image, #!/bin/sh is told where sh is; #!/exo/bin/sh plans.
  const withShell = await resolvePackages(["binsh", "shell"], [binSh, sh]);
  const elsewhere = t.throws<ExoError>(() => imagePackages(CONFIG, withShell, withShell), { message: /provides \/bin\/sh$/ });
  t.is(elsewhere?.hint, "write #!/exo/bin/sh: programs live in /exo/bin");
  const good = await scriptPackage(root, "good", "#!/exo/bin/sh\necho hi\n", "dependencies:\n  runtime: { shell: ^2.0.0 }\nservices: [{ name: good }]\n");
  const resolved = await resolvePackages(["good"], [good, sh]);
  const layout = imagePackages(CONFIG, resolved, resolved.filter((r) => r.pkg === good));
  t.deepEqual(layout.services.map((s) => s.path), ["/exo/bin/good"]);
  t.true(layout.links.some((l) => l.name === "sh" && l.target === "../apps/shell/2.0.0/bin/shell"));
  // An interpreter that is itself a script is refused: the kernel follows one #!.
  const nested = await scriptPackage(root, "nested", "#!/exo/bin/good\n", "dependencies:\n  runtime: { good: ^1.0.0 }\n");
  const chain = await resolvePackages(["nested"], [nested, good, sh]);
  t.throws(() => imagePackages(CONFIG, chain, chain), { message: /runs \/exo\/bin\/good, which is itself a script of good@1\.0\.0 \(#!\/exo\/bin\/sh\)/ });
});

test("data files go beside the program and, for the chosen version, into /exo/share/<name>/", async (t) => {
  const root = await scratch(t);
  const sh = await shell(root);
  const dir = join(root, "withdata");
  await mkdir(join(dir, "etc"), { recursive: true });
  await writeFile(join(dir, "main.sh"), "#!/exo/bin/sh\ncat /exo/share/withdata/etc/a.txt\n");
  await writeFile(join(dir, "etc/a.txt"), "a\n");
  await writeFile(join(dir, "etc/b.txt"), "b\n");
  await writeFile(join(dir, "withdata.exopkg"), "package: { name: withdata, version: 1.0.0, description: Data., license: MIT }\nscript: main.sh\ndata: [etc/*.txt]\ndependencies: { runtime: { shell: '*' } }\n");
  const resolved = await resolvePackages(["withdata"], [await loadPackage(dir), sh]);
  const programs = imagePackages(CONFIG, resolved, resolved).programs.filter((p) => p.key === "withdata@1.0.0");
  t.deepEqual(programs, [
    { key: "withdata@1.0.0", file: "bin/withdata", path: "exo/apps/withdata/1.0.0/bin/withdata", executable: true },
    { key: "withdata@1.0.0", file: "share/etc/a.txt", path: "exo/apps/withdata/1.0.0/share/etc/a.txt", executable: false },
    { key: "withdata@1.0.0", file: "share/etc/a.txt", path: "exo/share/withdata/etc/a.txt", executable: false },
    { key: "withdata@1.0.0", file: "share/etc/b.txt", path: "exo/apps/withdata/1.0.0/share/etc/b.txt", executable: false },
    { key: "withdata@1.0.0", file: "share/etc/b.txt", path: "exo/share/withdata/etc/b.txt", executable: false },
  ]);
});
