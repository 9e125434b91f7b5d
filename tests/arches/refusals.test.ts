// What an arch without GRUB or without x86_64 Linux binaries refuses, before
// anything is built: an iso image (a GRUB CD), and packages that are x86_64
// Linux programs (Debian's busybox-static, musl-gcc builds). Each error names
// the option or the package, the arch, and exits 1 with nothing left behind.
import test from "ava";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { exo, profile, REPO, tempProject } from "../helpers/exo.ts";

async function profileFile(dir: string, name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

test("an aarch64 image with the iso format is refused, naming image.formats and the arch", async (t) => {
  const dir = await tempProject();
  const file = await profileFile(
    dir,
    "iso.yaml",
    `imports:\n  - ${JSON.stringify(profile("server-aarch64.ts"))}\nimage:\n  formats: !force [kernel, iso]\n`,
  );
  const r = await exo(["build", file], { cwd: dir });
  t.is(r.code, 1, r.stderr);
  t.regex(r.stderr, /option `image\.formats` holds iso, a GRUB CD image that only x86_64 has; `system\.arch` is aarch64/);
  t.notRegex(r.stderr, /\n\s+at /, "no stack trace");
  t.false(existsSync(join(dir, "result")));
});

test("a riscv64 system with Debian's x86_64 busybox is refused, naming the package and the arch", async (t) => {
  const dir = await tempProject();
  // packages.set paths are relative to the profile built: this one's is the repository's own folder.
  const demo = JSON.stringify(join(REPO, "examples/shell-demo"));
  const file = await profileFile(dir, "bb.yaml", `imports:\n  - ${JSON.stringify(profile("busybox.ts"))}\nsystem:\n  arch: !force riscv64\npackages:\n  set:\n    shell-demo:\n      path: !force ${demo}\n`);
  const r = await exo(["build", file], { cwd: dir });
  t.is(r.code, 1, r.stderr);
  t.regex(r.stderr, /package busybox@\S+ is a prebuilt x86_64 Linux program, but option `system\.arch` is riscv64/);
  t.notRegex(r.stderr, /\n\s+at /, "no stack trace");
  t.false(existsSync(join(dir, "result")));
});
