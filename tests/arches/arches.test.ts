// The aarch64 and riscv64 ports (issue 16), each under its own QEMU `virt`
// machine: the server profile built for the arch passes every self-test the
// build holds (the core's and the port's), its raw disk image boots under the
// arch's firmware from Debian's packages (U-Boot; on riscv64 over OpenSBI),
// its build is reproducible (`exo build --check`), and `exo diff` between two
// arches of one system names the arch. (Each arch's benchmarks run in
// `npm run bench`, bench/arches.ts.)
import test from "ava";
import { evaluateProfile } from "../../generator/eval/index.ts";
import { selftestNames } from "../../kernel-src/core/selftest.ts";
import { exo, profile, tempProject } from "../helpers/exo.ts";

const ARCHES = ["aarch64", "riscv64"] as const;

/**
 * One project, so one store, for every test of this file: the self-test,
 * bench and plain kernels of an arch share most objects and all packages,
 * and concurrent builds on one store each build a derivation once.
 */
let shared: Promise<string> | undefined;
const project = (): Promise<string> => (shared ??= tempProject());

/** The EXO-TEST lines of a console, by name, in order. */
function testLines(stdout: string): Map<string, { ok: boolean; detail: string }> {
  const out = new Map<string, { ok: boolean; detail: string }>();
  for (const m of stdout.matchAll(/^EXO-TEST (\S+) (ok|FAIL)(?: (.*))?$/gm)) out.set(m[1]!, { ok: m[2] === "ok", detail: m[3] ?? "" });
  return out;
}

for (const arch of ARCHES) {
  const file = profile(`server-${arch}.ts`);

  test(`${arch}: the server kernel passes every self-test, the port's own included, in order`, async (t) => {
    const dir = await project();
    const { config } = await evaluateProfile(file);
    t.is(config.system.arch, arch);
    const expected = selftestNames({ arch, kernel: { ...config.kernel, testMode: "selftest" } });
    const r = await exo(["run", file, "--selftest", "--timeout", "120"], { cwd: dir });
    t.is(r.code, 0, r.stderr + r.stdout);
    const lines = testLines(r.stdout);
    t.deepEqual([...lines.keys()], expected);
    for (const [name, line] of lines) t.true(line.ok, `${name} FAIL ${line.detail}`);
    t.true(expected.includes("exception_recovery") && expected.includes("user_spawn"), "the port's trap test and the user-process tests are in the build");
    t.regex(r.stdout, new RegExp(`^exo: booting server-${arch} \\(${arch}\\)`, "m"));
    t.regex(r.stderr, new RegExp(`selftest: ${expected.length} passed, 0 failed`));
  });

  test(`${arch}: the raw disk image boots under U-Boot from Debian's packages${arch === "aarch64" ? " and under AAVMF (UEFI)" : ""}, and the build is reproducible`, async (t) => {
    const dir = await project();
    const link = `result-${arch}`;
    const built = await exo(["build", file, "--out-link", link], { cwd: dir });
    t.is(built.code, 0, built.stderr);
    const check = await exo(["build", file, "--check", "--no-link"], { cwd: dir });
    t.is(check.code, 0, check.stderr);
    t.regex(check.stderr + check.stdout, /built again with identical bytes/);
    const r = await exo(["run", link, "--format", "raw", "--timeout", "120"], { cwd: dir });
    t.is(r.code, 0, r.stderr + r.stdout);
    t.regex(r.stderr, /kernel exited with status 0 after \d+ ms \(raw, uboot\)/);
    t.regex(r.stdout, /^exo: boot complete$/m);
    if (arch === "aarch64") {
      // The Image is also a PE/COFF EFI application: AAVMF boots EFI/BOOT/BOOTAA64.EFI from the same disk.
      const uefi = await exo(["run", link, "--format", "raw", "--firmware", "uefi", "--timeout", "120"], { cwd: dir });
      t.is(uefi.code, 0, uefi.stderr + uefi.stdout);
      t.regex(uefi.stderr, /kernel exited with status 0 after \d+ ms \(raw, uefi\)/);
      t.regex(uefi.stdout, /^exo: loader arm64-image \(uefi stub\)$/m);
    }
  });
}

test("exo diff between the aarch64 and the riscv64 server names the arch and the files that differ", async (t) => {
  const dir = await project();
  const r = await exo(["diff", profile("server-aarch64.ts"), profile("server-riscv64.ts"), "--json"], { cwd: dir });
  t.is(r.code, 0, r.stderr);
  const diff = JSON.parse(r.stdout) as { options: { path: string; old: unknown; new: unknown }[]; imageFiles: { path: string; change: string }[] };
  const arch = diff.options.find((o) => o.path === "system.arch");
  t.deepEqual([arch?.old, arch?.new], ["aarch64", "riscv64"]);
  // Another kernel and Image, the same U-Boot menu but for the title; only aarch64's Image is an EFI application.
  const change = (path: string) => diff.imageFiles.find((f) => f.path === path)?.change;
  t.is(change("boot/Image"), "changed");
  t.is(change("boot/kernel.elf"), "changed");
  t.is(change("EFI/BOOT/BOOTAA64.EFI"), "removed");
});
