// exo install and exo remove: a profile's packages changed through its
// machine-owned module, never the profile itself; what changed is printed;
// a failure leaves everything as it was.
import test from "ava";
import { readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { exo, REPO, tempProject } from "../helpers/exo.ts";

async function projectWithProfile(): Promise<{ dir: string; profile: string; text: string }> {
  const dir = await tempProject();
  await mkdir(join(dir, "profiles"));
  const text = `import { defineProfile } from "${join(REPO, "generator/api.ts")}";\nexport default defineProfile({ config: { system: { name: "box", arch: "x86_64" } } });\n`;
  await writeFile(join(dir, "profiles/box.ts"), text);
  return { dir, profile: "profiles/box.ts", text };
}

test("exo new, then exo install by path and by name, then exo remove: the module changes, the profile never", async (t) => {
  const { dir, profile, text } = await projectWithProfile();
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  t.is((await exo(["new", "myapp", "--template", "cli"], { cwd: dir })).code, 0);
  const byPath = await exo(["install", "./myapp", "--profile", profile], { cwd: dir });
  t.is(byPath.code, 0, byPath.stderr);
  t.regex(byPath.stdout, /^\[A\] package myapp 0\.1\.0$/m);
  t.regex(byPath.stdout, /^\[U\] packages\.install {2}\["init"\] → \["init","myapp"\]/m);
  const module = await readFile(join(dir, "profiles/box.packages.yaml"), "utf8");
  t.regex(module, /myapp:\n\s+path: \.\.\/myapp\n/, "the path is relative to the profile's folder");
  const byName = await exo(["install", "hello", "--profile", profile], { cwd: dir });
  t.is(byName.code, 0, byName.stderr);
  t.regex(byName.stdout, /^\[A\] package hello 0\.1\.0$/m);
  const evaluated = JSON.parse((await exo(["eval", profile, "--json"], { cwd: dir })).stdout) as { value: { packages: { install: string[] } } };
  t.deepEqual(evaluated.value.packages.install, ["init", "myapp", "hello"], "the module is read with the profile");
  const plan = await exo(["build", "--dry-run", "--no-sign", profile], { cwd: dir });
  t.is(plan.code, 0, plan.stderr);
  t.regex(plan.stdout, /myapp-0\.1\.0/);
  const removed = await exo(["remove", "myapp", "--profile", profile], { cwd: dir });
  t.is(removed.code, 0, removed.stderr);
  t.regex(removed.stdout, /^\[R\] package myapp 0\.1\.0$/m);
  t.notRegex(await readFile(join(dir, "profiles/box.packages.yaml"), "utf8"), /myapp/);
  t.is((await exo(["remove", "hello", "--profile", profile], { cwd: dir })).code, 0);
  await t.throwsAsync(readFile(join(dir, "profiles/box.packages.yaml")), { code: "ENOENT" }, "an empty module is removed");
  t.is(await readFile(join(dir, profile), "utf8"), text, "the user's profile is never rewritten");
});

test("a misspelled name, a package remove did not add, and a broken package leave the module as it was, exit 1", async (t) => {
  const { dir, profile } = await projectWithProfile();
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  t.is((await exo(["install", "hello", "--profile", profile], { cwd: dir })).code, 0);
  const before = await readFile(join(dir, "profiles/box.packages.yaml"), "utf8");
  const typo = await exo(["install", "echo-sever", "--profile", profile], { cwd: dir });
  t.is(typo.code, 1);
  t.regex(typo.stderr, /packages\.set has no package named 'echo-sever'/);
  t.regex(typo.stderr, /did you mean `echo-server`\?/);
  const notAdded = await exo(["remove", "ring-bench", "--profile", profile], { cwd: dir });
  t.is(notAdded.code, 1);
  t.regex(notAdded.stderr, /exo install did not add 'ring-bench' \(it added hello\)/);
  // A package whose library is missing resolves to an error: the module is put back.
  await mkdir(join(dir, "broken/src"), { recursive: true });
  await writeFile(join(dir, "broken/broken.exopkg"), "package: { name: broken, version: 1.0.0, description: Broken., license: MIT }\nsources: [src/main.c]\ndependencies: { build: { nolib: ^1 } }\n");
  await writeFile(join(dir, "broken/src/main.c"), "int main(void) { return 0; }\n");
  const broken = await exo(["install", "./broken", "--profile", profile], { cwd: dir });
  t.is(broken.code, 1);
  t.regex(broken.stderr, /broken@1\.0\.0 needs nolib \^1, but the package set has no nolib/);
  t.is(await readFile(join(dir, "profiles/box.packages.yaml"), "utf8"), before);
  // The module is exo's: a hand-edited one that is not as exo wrote it is refused, and left alone.
  for (const text of ["packages: { set: { x: null } }\n", "packages: { install: [1] }\n", "kernel: {}\n", "packages: [\n"]) {
    await writeFile(join(dir, "profiles/box.packages.yaml"), text);
    const edited = await exo(["install", "hello", "--profile", profile], { cwd: dir });
    t.is(edited.code, 1, text);
    t.regex(edited.stderr, /profiles\/box\.packages\.yaml is not as exo install wrote it/, text);
    t.notRegex(edited.stderr, /internal error|\n\s+at /, text);
    t.is(await readFile(join(dir, "profiles/box.packages.yaml"), "utf8"), text);
  }
  const usage = await exo(["install", "hello"], { cwd: dir });
  t.is(usage.code, 1);
  t.regex(usage.stderr, /--profile/);
  t.notRegex(typo.stderr + notAdded.stderr + broken.stderr, /\n\s+at /);
});

test("a build answered by the no-op cache is built again once exo install writes the module it did not have", async (t) => {
  const { dir, profile } = await projectWithProfile();
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  t.is((await exo(["build", profile], { cwd: dir })).code, 0);
  const again = await exo(["build", profile], { cwd: dir });
  t.regex(again.stderr, /nothing to build/, "the no-op cache answers an unchanged build");
  t.is((await exo(["install", "hello", "--profile", profile], { cwd: dir })).code, 0);
  const after = await exo(["build", profile], { cwd: dir });
  t.is(after.code, 0, after.stderr);
  t.notRegex(after.stderr, /nothing to build/, "the module's appearance is a change");
  t.regex(after.stderr, /built \d+ derivations/);
});
