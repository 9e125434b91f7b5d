// kernel.tmpfs (modules/kernel/tmpfs.ts): a mount list the kernel cannot use
// is refused at evaluation, naming the option, the file and line, and what
// was expected; a good one reaches core/tmpfs.c and include/param.h.
import test from "ava";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evaluateProfile } from "../../generator/eval/index.ts";
import { ExoError } from "../../generator/errors.ts";
import { renderKernel } from "../../kernel-src/index.ts";
import type { KernelConfig } from "../../schemas/index.ts";
import { byPath, input } from "../kernel-src/inputs.ts";

/** Evaluate a YAML profile whose kernel.tmpfs is `tmpfs` (YAML text, indented below it); the ExoError, or undefined when it evaluates. */
async function evalTmpfs(t: { teardown(fn: () => Promise<void>): void }, tmpfs: string): Promise<{ error: ExoError | undefined; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), "exo-tmpfs-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, "profile.yaml");
  await writeFile(file, `system:\n  name: tmpfs\nkernel:\n  tmpfs:\n${tmpfs}`);
  const error = await evaluateProfile(file).then(
    () => undefined,
    (e: unknown) => {
      if (e instanceof ExoError) return e;
      throw e;
    },
  );
  return { error, file };
}

const refused: [what: string, yaml: string, expected: RegExp][] = [
  ["a relative path", "    mounts: [scratch]\n", /an absolute path/],
  ["the root", "    mounts: [/]\n", /a folder below \//],
  ["a path with ..", "    mounts: [/var/../tmp2]\n", /a normalised path/],
  ["a trailing slash", "    mounts: [/var/scratch/]\n", /a normalised path/],
  ["a folder inside /exo", "    mounts: [/exo/cache]\n", /neither holds nor lies inside \/exo, \/etc\/exo, \/dev; got "\/exo\/cache"/],
  ["a folder holding /etc/exo", "    mounts: [/etc]\n", /neither holds nor lies inside/],
  ["a path twice", "    mounts: [/tmp, /srv, /srv]\n", /each path once \(\/srv is listed twice\)/],
  ["a mount inside another", "    mounts: [/var/a, /var/a/b]\n", /do not lie inside one another \(\/var\/a\/b is inside \/var\/a\)/],
  ["no pages", "    maxPages: 0\n", /expected number to be >=1; got 0/],
];

for (const [what, yaml, expected] of refused) {
  test(`kernel.tmpfs refuses ${what}, naming the option, the file and what it expected`, async (t) => {
    const { error, file } = await evalTmpfs(t, yaml);
    t.truthy(error, "it evaluated");
    t.is(error?.code, "ERR_EXO_OPTION_TYPE");
    t.regex(error?.message ?? "", /option `kernel\.tmpfs\.(mounts|maxPages)`/);
    t.true(error?.message.includes(`${file}:5`), error?.message);
    t.regex(error?.message ?? "", expected);
  });
}

test("kernel.tmpfs takes absolute, normalised, separate folders and defaults to /tmp and 1024 pages", async (t) => {
  const { error } = await evalTmpfs(t, "    mounts: [/var/scratch, /run]\n    maxPages: 32\n");
  t.is(error, undefined);
  const dir = await mkdtemp(join(tmpdir(), "exo-tmpfs-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, "plain.yaml");
  await writeFile(file, "system:\n  name: plain\n");
  const { config } = await evaluateProfile(file);
  t.deepEqual((config.kernel as KernelConfig & { tmpfs: unknown }).tmpfs, { mounts: ["/tmp"], maxPages: 1024 });
});

test("the mounts and the page limit reach core/tmpfs.c and include/param.h, /tmp first", (t) => {
  const kernel = { ...input().kernel, tmpfs: { mounts: ["/var/scratch", "/tmp", "/run"], maxPages: 77 } } as KernelConfig;
  const files = byPath(renderKernel({ ...input(), kernel }));
  const tmpfs = files.get("core/tmpfs.c") ?? "";
  const roots = [...tmpfs.matchAll(/\{ \.name = "([^"]+)", \.ino = (\d+)/g)].map((m) => `${m[1]}:${m[2]}`);
  t.deepEqual(roots, ["tmp:1", "var/scratch:2", "run:3"]);
  t.regex(tmpfs, /#define EXO_TMPFS_MAX_PAGES\s+77\s+\/\* kernel\.tmpfs\.maxPages \*\//);
  t.regex(tmpfs, /#define EXO_TMPFS_MOUNT_COUNT\s+3\s/);
  t.regex(files.get("include/param.h") ?? "", /EXO_TMPFS_MAX_PAGES\s+77/);
  // Without the option (an input built by hand): /tmp alone, the default limit.
  const plain = byPath(renderKernel(input())).get("core/tmpfs.c") ?? "";
  t.deepEqual([...plain.matchAll(/\{ \.name = "([^"]+)"/g)].map((m) => m[1]), ["tmp"]);
  t.regex(plain, /#define EXO_TMPFS_MAX_PAGES\s+1024\s/);
});
