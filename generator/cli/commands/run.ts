// exo run PROFILE|IMAGE: boot under qemu-system-x86_64 (TCG), stream the
// serial console to stdout and exit with the kernel's status. A profile is
// built first; an image is verified before it boots.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { buildProfile, bundleOf } from "../../build.ts";
import { ExoError } from "../../errors.ts";
import { displayPath } from "../../eval/paths.ts";
import { verifyBundle } from "../../image/bundle.ts";
import { readBundleArg } from "../../image/locate.ts";
import { loadProject } from "../../project/config.ts";
import { bootKernel } from "../../run/qemu.ts";
import { parseTestLines } from "../../run/test-lines.ts";
import type { Module } from "../../eval/module.ts";
import { mkForce } from "../../eval/markers.ts";
import type { ConfigDefinition } from "../../../schemas/index.ts";
import { loadTrustedKeys } from "../../sign/trust.ts";
import { defineCommand, expectPositionals } from "../command.ts";

const usage = "run PROFILE|IMAGE [--selftest | --bench] [--store DIR] [--timeout SECONDS]";
const PROFILE_EXTENSIONS = new Set([".ts", ".mts", ".yaml", ".yml"]);

export default defineCommand({
  name: "run",
  summary: "Boot a profile (built first) or an image in QEMU, print its serial console, and exit with the kernel's status.",
  usage,
  help: [
    "--store DIR         the store to build into (default: exo.config.ts `store`, or $EXO_STORE)",
    "--timeout SECONDS   stop QEMU after this long (default: 60)",
    "--selftest          build PROFILE with the in-kernel tests (kernel.testMode = selftest) and check every EXO-TEST line",
    "--bench             build PROFILE with the in-kernel benchmarks (kernel.testMode = bench)",
  ],
  options: { store: { type: "string" }, timeout: { type: "string" }, selftest: { type: "boolean" }, bench: { type: "boolean" } },
  async run({ values, positionals }) {
    const [target] = expectPositionals(positionals, ["PROFILE|IMAGE"], usage);
    const timeout = Number(values.timeout ?? "60");
    if (!(timeout > 0)) throw new ExoError("ERR_EXO_USAGE", `option --timeout expects a number of seconds above 0, got '${values.timeout}'`);
    const project = await loadProject(process.cwd(), values.store ? { store: values.store } : {});
    const testMode = values.selftest ? "selftest" : values.bench ? "bench" : undefined;
    if (values.selftest && values.bench) throw new ExoError("ERR_EXO_USAGE", "--selftest and --bench exclude each other", `usage: exo ${usage}`);
    const isProfile = PROFILE_EXTENSIONS.has(extname(target!));
    if (testMode && !isProfile) throw new ExoError("ERR_EXO_USAGE", `--${testMode} needs a PROFILE: the tests are compiled into the kernel`, `usage: exo ${usage}`);
    let image = target!;
    if (isProfile) {
      const extraModules = testMode ? [commandLineModule(`--${testMode}`, { kernel: { testMode: mkForce(testMode) } })] : [];
      const result = await buildProfile(target!, project, { extraModules });
      process.stderr.write(`built ${displayPath(result.outPath)}\n`);
      image = bundleOf(result.outPath);
    }
    const { file, bytes } = await readBundleArg(image);
    const report = await verifyBundle(bytes, await loadTrustedKeys(project));
    if (!report.ok) throw new ExoError("ERR_EXO_VERIFY", `refusing to boot ${displayPath(file)}:\n${report.problems.map((p) => `  - ${p}`).join("\n")}`);
    const kernel = report.entries.find((e) => e.name === "kernel.elf");
    if (!kernel) throw new ExoError("ERR_EXO_IMAGE_INVALID", `${displayPath(file)} holds no kernel.elf`);

    const dir = await mkdtemp(join(tmpdir(), "exo-run-"));
    try {
      await writeFile(join(dir, "kernel.elf"), kernel.data);
      const boot = await bootKernel(join(dir, "kernel.elf"), {
        qemu: project.qemu.x86_64,
        timeoutMs: timeout * 1000,
        icount: testMode === "bench",
        onOutput: (text) => process.stdout.write(text),
      });
      if (boot.timedOut) throw new ExoError("ERR_EXO_BOOT", `the kernel did not exit within ${timeout} s; QEMU was stopped`, "raise --timeout, or check that kernel.debugExit is on");
      if (boot.kernelStatus === undefined) throw new ExoError("ERR_EXO_BOOT", `QEMU ended with status ${boot.qemuStatus} before the kernel reported a status (a triple fault or reset ends QEMU under -no-reboot)`);
      process.stderr.write(`kernel exited with status ${boot.kernelStatus} after ${boot.wallMs} ms\n`);
      if (testMode === "selftest") return Math.max(boot.kernelStatus, reportTests(boot.output));
      return boot.kernelStatus;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
});

/** A module made from command-line flags, named after them in every message. */
function commandLineModule(flag: string, config: ConfigDefinition): Module {
  return { kind: "module", file: `<command line ${flag}>`, line: 0, config };
}

/** Summarise the EXO-TEST lines; 1 when any failed or none ran. */
function reportTests(output: string): number {
  const tests = parseTestLines(output);
  const failed = tests.filter((t) => !t.ok);
  process.stderr.write(`selftest: ${tests.length - failed.length} passed, ${failed.length} failed\n`);
  for (const t of failed) process.stderr.write(`  FAIL ${t.name}${t.detail ? `: ${t.detail}` : ""}\n`);
  return tests.length === 0 || failed.length > 0 ? 1 : 0;
}
