// Package and policy names have one limit (schemas/limits.ts MAX_NAME), which
// the schema enforces at evaluation and the generated C sizes its fields
// from. A longer name is refused everywhere: by `exo eval` with a message, by
// init line by line, by the kernel's spawn with -EINVAL; never cut short into
// another policy's name.
import { readFileSync } from "node:fs";
import test from "ava";
import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { renderKernel } from "../../kernel-src/index.ts";
import { renderUser } from "../../kernel-src/user/index.ts";
import { LONGEST_POLICY_NAME, MAX_NAME, policyName, policyReference } from "../../schemas/limits.ts";
import { packageSet } from "../../schemas/packages.ts";
import { input } from "../kernel-src/inputs.ts";
import { exo, REPO } from "../helpers/exo.ts";

const run = promisify(execFile);

/** A valid policy name of n characters. */
const nameOf = (n: number): string => `p${"0123456789abcdefghijklmnopqrstuvwxyz".repeat(3)}`.slice(0, n);

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "exo-names-"));
  await writeFile(join(dir, "package.json"), `{ "type": "module", "private": true }\n`);
  return dir;
}

test("the limit is 31 characters and every built-in package name fits", (t) => {
  t.is(MAX_NAME, 31);
  t.is(LONGEST_POLICY_NAME.length, MAX_NAME);
  for (const name of Object.keys(packageSet)) t.true(name.length <= MAX_NAME, name);
  t.true(policyName.safeParse(nameOf(31)).success);
  t.false(policyName.safeParse(nameOf(32)).success);
  t.true(policyReference.safeParse(nameOf(31)).success);
  t.false(policyReference.safeParse(nameOf(40)).success);
});

test("a 31-character policy name works as a policy, the default policy and a package's policy", async (t) => {
  const dir = await tempDir();
  const name = nameOf(31);
  const file = join(dir, "fits.yaml");
  await writeFile(file, `sandbox:\n  defaultPolicy: ${name}\n  policies:\n    ${name}:\n      capabilities: [console]\npackages:\n  install: [hello]\n  policies:\n    hello: ${name}\n`);
  const r = await exo(["eval", file, "--json"], { cwd: dir });
  t.is(r.code, 0, r.stderr);
  const { value } = JSON.parse(r.stdout) as { value: { sandbox: { defaultPolicy: string; policies: Record<string, unknown> }; packages: { policies: Record<string, string> } } };
  t.true(Object.hasOwn(value.sandbox.policies, name));
  t.is(value.sandbox.defaultPolicy, name);
  t.is(value.packages.policies.hello, name);
});

for (const length of [32, 40]) {
  test(`a ${length}-character policy name is refused at evaluation wherever it is written`, async (t) => {
    const dir = await tempDir();
    const name = nameOf(length);
    const api = JSON.stringify(new URL("../../generator/api.ts", import.meta.url).href);
    // [file, text, the option (and key) its error must name]
    const profiles: [string, string, string][] = [
      ["key.yaml", `sandbox:\n  policies:\n    ${name}:\n      capabilities: [console]\n`, `sandbox.policies\` at \`${name}`],
      ["key.ts", `import { defineProfile } from ${api};\n\nexport default defineProfile({\n  config: { sandbox: { policies: { "${name}": { capabilities: ["console"] } } } },\n});\n`, `sandbox.policies\` at \`${name}`],
      ["default.yaml", `sandbox:\n  defaultPolicy: ${name}\n`, "sandbox.defaultPolicy"],
      ["package.yaml", `packages:\n  install: [hello]\n  policies:\n    hello: ${name}\n`, `packages.policies\` at \`hello`],
    ];
    await Promise.all(
      profiles.map(async ([base, text, option]) => {
        await writeFile(join(dir, base), text);
        const r = await exo(["eval", base], { cwd: dir });
        t.is(r.code, 1, `${base}: ${r.stderr}`);
        const error = /^error\[ERR_EXO_[A-Z_]+\]: (.*)$/m.exec(r.stderr)?.[1] ?? "";
        t.true(error.includes(`\`${option}\``), `${base}: names the option: ${error}`);
        t.true(error.includes(base), `${base}: names the file: ${error}`);
        t.true(error.includes(`at most ${MAX_NAME} characters`), `${base}: says the limit: ${error}`);
        t.regex(r.stderr, /^hint: /m, base);
      }),
    );
  });
}

/** A file of the user SDK as generated, or init's C source from its package (pkgs/init). */
const userFile = (path: string): string => (path === "bin/init.c" ? readFileSync(join(REPO, "pkgs/init/src/main.c"), "utf8") : renderUser().find((f) => f.path === path)!.text);

test("the generated C sizes every name field from EXO_NAME_MAX, which is MAX_NAME", (t) => {
  const header = userFile("include/exo.h");
  t.regex(header, new RegExp(`^#define EXO_NAME_MAX ${MAX_NAME}$`, "m"));
  const init = userFile("bin/init.c");
  t.regex(init, /^ {4}char name\[EXO_NAME_MAX \+ 1\];$/m);
  t.regex(init, /^ {4}char policy\[EXO_NAME_MAX \+ 1\];$/m);
  t.notRegex(init, /char (name|policy)\[\d+\]/, "no field of a literal size");
  t.regex(init, /if \(!name_fits \|\| !policy_fits\) \{[^}]*refused\+\+;/, "a line that does not fit is refused and counted");
  const uproc = renderKernel(input({}, { sandbox: { policies: { init: { capabilities: ["console"], memoryPages: 1, description: "" } }, defaultPolicy: "init" } })).find((f) => f.path === "core/uproc.c")!.text;
  t.regex(uproc, new RegExp(`^#define EXO_NAME_MAX ${MAX_NAME}$`, "m"));
  t.regex(uproc, /char path\[128\], policy\[EXO_NAME_MAX \+ 1\];/);
  t.regex(uproc, /uvm_copy_str\(policy, policy_va, sizeof policy\)\) < 0\)[^\n]*\n\s+return n == -1 \? -EFAULT : -EINVAL;/, "a policy with no NUL within the field is -EINVAL");
});

test("usertest asks the kernel for the longest policy name, and for it one character longer (-EINVAL)", (t) => {
  const usertest = userFile("bin/usertest.c");
  t.true(usertest.includes(`spawn("bin/usertest", "${LONGEST_POLICY_NAME}", `));
  t.regex(usertest, new RegExp(`spawn\\("bin/usertest", "${LONGEST_POLICY_NAME}x", \\d+\\) == -EINVAL`));
});

/**
 * init's own parser, compiled for this machine: a stand-in exo.h gives it
 * the services file through open() and prints each spawn instead of making
 * it. EXO_NAME_MAX comes from the generated exo.h, so this is the C that boots.
 */
async function hostInit(dir: string): Promise<string> {
  const nameMax = /^#define EXO_NAME_MAX (\d+)$/m.exec(userFile("include/exo.h"))![1]!;
  await writeFile(join(dir, "init.c"), userFile("bin/init.c"));
  await writeFile(
    join(dir, "exo.h"),
    `#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
typedef unsigned char uint8;
typedef unsigned int uint32;
typedef unsigned long uint64;
typedef long int64;
#define EXO_NAME_MAX ${nameMax}
struct exo_stat { uint64 size; uint64 mode; };
static int64 exo_open(const char *path, uint64 flags) { (void)path; (void)flags; return open(getenv("SERVICES"), O_RDONLY); }
static int64 exo_fstat(int64 fd, struct exo_stat *st) { st->size = (uint64)lseek((int)fd, 0, SEEK_END); lseek((int)fd, 0, SEEK_SET); return 0; }
static int64 exo_spawn(const char *path, const char *policy, uint64 arg) { static int64 pid = 100; (void)arg; printf("SPAWN %s %s\\n", path, policy); return ++pid; }
#define stat exo_stat
#define open(path, flags) exo_open(path, flags)
#define fstat exo_fstat
#define spawn exo_spawn
#define getpid() 1L
#define yield() 0
#define kill(pid) ((void)(pid), 0)
#define wait(pid, status) (*(status) = 0, (pid))
`,
  );
  await run("clang", ["-std=c11", "-w", "-I", dir, "-o", join(dir, "init"), join(dir, "init.c")]);
  return join(dir, "init");
}

async function runInit(binary: string, services: string): Promise<{ code: number; stdout: string }> {
  const file = `${binary}.services`;
  await writeFile(file, services);
  return run(binary, [], { env: { ...process.env, SERVICES: file } }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (e: { code?: number; stdout?: string }) => ({ code: e.code ?? -1, stdout: e.stdout ?? "" }),
  );
}

test("init refuses a service line whose policy or name does not fit, never starting it under a cut name", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "exo-init-"));
  const init = await hostInit(dir);
  const longest = nameOf(MAX_NAME);
  const services = [
    "# name policy daemon|task",
    "hello init task",
    `ring-bench ${longest}z task`, // cut to MAX_NAME characters, this would be the policy below
    `${nameOf(MAX_NAME + 1)} init task`,
    `echo-server ${longest} daemon`,
    "",
  ].join("\n");
  const r = await runInit(init, services);
  t.is(r.code, 2, r.stdout);
  const spawned = r.stdout.split("\n").filter((l) => l.startsWith("SPAWN "));
  t.deepEqual(spawned, ["SPAWN bin/hello init", `SPAWN bin/echo-server ${longest}`]);
  t.regex(r.stdout, new RegExp(`^init: /etc/exo/services line 3: the policy name is longer than ${MAX_NAME} characters; not started$`, "m"));
  t.regex(r.stdout, new RegExp(`^init: /etc/exo/services line 4: the service name is longer than ${MAX_NAME} characters; not started$`, "m"));
  t.regex(r.stdout, /^init: pid 1, 4 services in \/etc\/exo\/services$/m);
  t.regex(r.stdout, /^init: 4 services, 2 failed$/m);
});

test("init refuses, and reports, services past the most it holds", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "exo-init-"));
  const init = await hostInit(dir);
  const lines = Array.from({ length: 17 }, (_, i) => `hello p${i} task`);
  const r = await runInit(init, `${lines.join("\n")}\n`);
  t.is(r.code, 1, r.stdout);
  t.is(r.stdout.split("\n").filter((l) => l.startsWith("SPAWN ")).length, 16);
  t.regex(r.stdout, /^init: \/etc\/exo\/services line 17: more than 16 services; hello not started$/m);
});
