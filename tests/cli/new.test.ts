// exo new NAME (issue 14, "Commands"): each template makes a package folder
// whose manifest loads and which builds as it is: the cli and service
// templates are published (built in the store, signed) by `exo publish`,
// the library is linked into a program. Bad names and folders that hold
// anything are refused with exit 1 and a message that says why.
import test from "ava";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { loadPackage } from "../../generator/packages/manifest.ts";
import { publishPackage } from "../../generator/packages/publish.ts";
import { loadProject } from "../../generator/project/config.ts";
import { exo, REPO, tempProject } from "../helpers/exo.ts";

async function project(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await tempProject();
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function files(dir: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await files(dir, path)));
    else out.push(path);
  }
  return out.sort();
}

for (const [template, daemon] of [["cli", false], ["service", true]] as const) {
  test(`exo new --template ${template}: a program with a ${daemon ? "daemon" : "task"} service that exo publish builds`, async (t) => {
    const dir = await project(t);
    const made = await exo(["new", "my-app", "--template", template, "--dir", "apps"], { cwd: dir });
    t.is(made.code, 0, made.stderr);
    t.regex(made.stdout, new RegExp(`^created ${template} package my-app in apps/my-app: my-app\\.exopkg, src/main\\.c$`, "m"));
    t.deepEqual(await files(join(dir, "apps/my-app")), ["my-app.exopkg", "src/main.c"]);
    const manifestText = await readFile(join(dir, "apps/my-app/my-app.exopkg"), "utf8");
    // The schema line points at the JSON Schema from where the package is.
    const schema = /^# yaml-language-server: \$schema=(\S+)\n/.exec(manifestText);
    t.truthy(schema, "the first line names the JSON Schema");
    t.is(join(dir, "apps/my-app", schema![1]!), join(REPO, "schemas/exopkg.schema.json"));

    const pkg = await loadPackage(join(dir, "apps/my-app"));
    t.is(pkg.manifest.package.name, "my-app");
    t.deepEqual(pkg.manifest.services.map((s) => [s.name, s.daemon]), [["my-app", daemon]]);

    const published = await exo(["publish", "apps/my-app", "--out", "pub"], { cwd: dir });
    t.is(published.code, 0, published.stderr);
    t.regex(published.stdout, /^published my-app 0\.1\.0 signed by key [0-9a-f]{16}: pub\/my-app-0\.1\.0$/m);
    const binary = await readFile(join(dir, "pub/my-app-0.1.0/bin/my-app"));
    t.is(binary.subarray(0, 4).toString("latin1"), "\x7fELF");
    t.true(binary.includes(daemon ? "my-app: running as pid" : "my-app: hello from pid"));
    const keys = (await loadProject(dir)).trusted;
    t.is((await loadPackage(join(dir, "pub/my-app-0.1.0"), { trusted: keys })).manifest.services[0]!.daemon, daemon);
  });
}

test("exo new --template library: a library with its header, which a program links", async (t) => {
  const dir = await project(t);
  t.is((await exo(["new", "my-lib", "--template", "library"], { cwd: dir })).code, 0);
  t.deepEqual(await files(join(dir, "my-lib")), ["include/my-lib.h", "my-lib.exopkg", "src/my-lib.c"]);
  const lib = await loadPackage(join(dir, "my-lib"));
  t.is(lib.manifest.package.kind, "library");
  t.deepEqual(lib.manifest.headers, ["include/my-lib.h"]);
  t.deepEqual(lib.manifest.services, []);

  t.is((await exo(["new", "user"], { cwd: dir })).code, 0, "cli is the default template");
  const manifest = join(dir, "user/user.exopkg");
  await writeFile(manifest, (await readFile(manifest, "utf8")).replace("sources: [src/main.c]", "sources: [src/main.c]\ndependencies: { build: { my-lib: ^0.1 } }"));
  await writeFile(join(dir, "user/src/main.c"), '#include "exo.h"\n#include "my-lib.h"\n\nint main(void)\n{\n    my_lib_greet("console");\n    return 0;\n}\n');
  const user = await loadPackage(join(dir, "user"));
  const published = await publishPackage({ pkg: user, set: [lib], project: await loadProject(dir), out: join(dir, "pub"), jobs: 2 });
  t.true((await readFile(join(published.folder, "bin/user"))).includes("my-lib: hello, %s"), "the library's code is linked in");

  const refused = await exo(["publish", "my-lib", "--out", "pub"], { cwd: dir });
  t.is(refused.code, 1);
  t.regex(refused.stderr, /^error\[ERR_EXO_PACKAGE_INVALID\]: my-lib@0\.1\.0 is a library: only a program can be published yet$/m);
});

test("exo new refuses a bad name, a folder that holds anything and an unknown template; an empty folder is used", async (t) => {
  const dir = await project(t);
  for (const [name, why] of [
    ["My-App", "a lower-case package name"],
    ["1app", "starting with a letter"],
    ["my_app", "letters, digits and '-'"],
    ["a".repeat(40), "at most"],
  ] as const) {
    const r = await exo(["new", name], { cwd: dir });
    t.is(r.code, 1, name);
    t.true(r.stderr.startsWith(`error[ERR_EXO_USAGE]: '${name}' is not a package name: `), r.stderr);
    t.true(r.stderr.includes(why), r.stderr);
  }
  await mkdir(join(dir, "taken"));
  await writeFile(join(dir, "taken/notes.txt"), "mine\n");
  const taken = await exo(["new", "taken"], { cwd: dir });
  t.is(taken.code, 1);
  t.regex(taken.stderr, /^error\[ERR_EXO_USAGE\]: taken already exists and is not empty\nhint: choose another name, or another folder with --dir; exo new never writes over files$/m);
  t.deepEqual(await files(join(dir, "taken")), ["notes.txt"], "nothing written into it");
  await writeFile(join(dir, "plain"), "a file\n");
  t.regex((await exo(["new", "plain"], { cwd: dir })).stderr, /plain already exists and is not a folder/);
  const template = await exo(["new", "x", "--template", "daemon"], { cwd: dir });
  t.is(template.code, 1);
  t.regex(template.stderr, /option --template expects one of cli, service, library, got 'daemon'/);

  await mkdir(join(dir, "empty"));
  t.is((await exo(["new", "empty"], { cwd: dir })).code, 0);
  t.deepEqual(await files(join(dir, "empty")), ["empty.exopkg", "src/main.c"]);
});

test("a profile boots a package fresh from exo new and another installed from its publication; a tampered publication is refused", async (t) => {
  const dir = await project(t);
  t.is((await exo(["new", "fresh"], { cwd: dir })).code, 0);
  t.is((await exo(["new", "shipped", "--template", "service"], { cwd: dir })).code, 0);
  const published = await exo(["publish", "shipped", "--out", "pub"], { cwd: dir });
  t.is(published.code, 0, published.stderr);
  await rm(join(dir, "shipped"), { recursive: true }); // installed from the publication alone
  await writeFile(
    join(dir, "system.yaml"),
    [
      "imports:",
      `  - ${join(REPO, "profiles/server.ts")}`,
      "packages:",
      "  set:",
      "    fresh: { path: ./fresh }",
      "    shipped: { path: ./pub/shipped-0.1.0 }",
      "  install: [fresh, shipped]",
      "",
    ].join("\n"),
  );
  const r = await exo(["run", "system.yaml", "--timeout", "90"], { cwd: dir });
  t.is(r.code, 0, r.stderr + r.stdout);
  t.regex(r.stdout, /^fresh: hello from pid \d+$/m);
  t.regex(r.stdout, /^shipped: running as pid \d+$/m);
  t.regex(r.stdout, /^init: fresh exited with status 0$/m);
  t.regex(r.stdout, /^init: shipped stopped with status \d+$/m, "the daemon ran until init stopped it");

  const binPath = join(dir, "pub/shipped-0.1.0/bin/shipped");
  const bytes = await readFile(binPath);
  bytes[64] = bytes[64]! ^ 0xff;
  await writeFile(binPath, bytes);
  const tampered = await exo(["build", "system.yaml"], { cwd: dir });
  t.is(tampered.code, 1, tampered.stderr);
  t.regex(tampered.stderr, /^error\[ERR_EXO_VERIFY\]: .*bin\/shipped in pub\/shipped-0\.1\.0 has SHA-256 [0-9a-f]{64}, but pub\/shipped-0\.1\.0\/shipped\.exopkg\.sig signs [0-9a-f]{64}: the file was changed after it was published$/m);
});
