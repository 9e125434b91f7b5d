// Package and policy names have one limit (schemas/limits.ts MAX_NAME), which
// the schema enforces at evaluation and the generated C sizes its fields
// from. A longer name is refused everywhere: by `exo eval` with a message, by
// init line by line, by the kernel's spawn with -EINVAL; never cut short into
// another policy's name.
import { readFileSync } from "node:fs";
import test from "ava";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderKernel } from "../../kernel-src/index.ts";
import { renderUser } from "../../kernel-src/user/index.ts";
import { LONGEST_POLICY_NAME, MAX_NAME, policyName, policyReference } from "../../schemas/limits.ts";
import { builtinPackageSet } from "../../schemas/packages.ts";
import { input } from "../kernel-src/inputs.ts";
import { exo, REPO } from "../helpers/exo.ts";

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
  for (const name of Object.keys(builtinPackageSet)) t.true(name.length <= MAX_NAME, name);
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
const userFile = (path: string): string => (path === "bin/init.c" ? readFileSync(join(REPO, "pkgs/init/src/main.c"), "utf8") : renderUser("x86_64").find((f) => f.path === path)!.text);

test("the generated C sizes every name field from EXO_NAME_MAX (MAX_NAME) and every policy field from EXO_POLICY_MAX", (t) => {
  const header = userFile("include/exo.h");
  t.regex(header, new RegExp(`^#define EXO_NAME_MAX ${MAX_NAME}$`, "m"));
  const init = userFile("bin/init.c");
  t.regex(init, /^ {4}char name\[EXO_NAME_MAX \+ 1\];$/m);
  t.regex(init, /^ {4}char policy\[EXO_POLICY_MAX \+ 1\];$/m, "a policy is name@version");
  t.notRegex(init, /char (name|policy)\[\d+\]/, "no field of a literal size");
  t.regex(init, /if \(!name_fits \|\| !policy_fits\) \{[^}]*refused\+\+;/, "a line that does not fit is refused and counted");
  const kernel = renderKernel(input({}, { sandbox: { policies: { init: { capabilities: ["console"], memoryPages: 1, description: "" } }, defaultPolicy: "init" } }));
  const uproc = kernel.find((f) => f.path === "core/uproc.c")!.text;
  // A policy spawn takes is a package's "<name>@<version>": two names and an '@'.
  t.regex(kernel.find((f) => f.path === "include/policy.h")!.text, new RegExp(`^#define EXO_POLICY_MAX ${2 * MAX_NAME + 1}$`, "m"));
  t.regex(uproc, /#include "policy.h"/);
  t.regex(header, new RegExp(`^#define EXO_POLICY_MAX ${2 * MAX_NAME + 1}$`, "m"));
  t.regex(uproc, /char path\[128\], policy\[EXO_POLICY_MAX \+ 1\];/);
  t.regex(uproc, /uvm_copy_str\(policy, policy_va, sizeof policy\)\) < 0\)[^\n]*\n\s+return n == -1 \? -EFAULT : -EINVAL;/, "a policy with no NUL within the field is -EINVAL");
});

test("usertest asks the kernel for the longest policy name, and for it one character longer (-EINVAL)", (t) => {
  const usertest = userFile("bin/usertest.c");
  t.true(usertest.includes(`spawn("bin/usertest", "${LONGEST_POLICY_NAME}", `));
  t.regex(usertest, new RegExp(`spawn\\("bin/usertest", "${LONGEST_POLICY_NAME}x", \\d+\\) == -EINVAL`));
});

// init's own handling of names that do not fit (a 63/64-character policy, a 31/32-character name, more than 16 services) is run on the host in tests/run/init-services.test.ts.
