// exo run PROFILE|IMAGE: boot under qemu-system-x86_64 (TCG), stream the
// serial console to stdout and exit with the kernel's status, or 1 when init
// reports a failed service. A profile is built first; every image is
// verified before it boots.
import { readdir, stat, writeFile } from "node:fs/promises";
import { extname, join } from "node:path";
import type { ConfigDefinition } from "../../../schemas/index.ts";
import { type Arch, archs } from "../../../schemas/system.ts";
import { portOf } from "../../../kernel-src/ports.ts";
import { KERNEL_IMAGE_PATH } from "../../builders/image.ts";
import { buildProfile } from "../../build.ts";
import { ExoError } from "../../errors.ts";
import { mkForce } from "../../eval/markers.ts";
import type { Module } from "../../eval/module.ts";
import { displayPath } from "../../eval/paths.ts";
import { setEvalTimeout } from "../../eval/watchdog.ts";
import { acceptImage, type FreshnessRequest, refusal } from "../../image/accept.ts";
import { FORMAT_FILES, type Format, formatOfFile, type FormatReport } from "../../image/read.ts";
import { loadTrust, type Trust } from "../../sign/trust.ts";
import { withTempDir } from "../../temp.ts";
import { boot, type BootTarget, defaultFirmware, type Firmware } from "../../run/qemu.ts";
import { splitConsole } from "../../run/console.ts";
import { parseTestLines } from "../../run/test-lines.ts";
import { initWarning, readServiceReport, servicesFailure } from "../../run/services.ts";
import { defineCommand } from "../command.ts";
import { EVAL_TIMEOUT_FLAG, TRUST_FLAGS } from "../flags.ts";
import { generationImage } from "../../generations/image.ts";
import { freshnessRequestOf, trustOptionsOf } from "../trust-options.ts";
import { REGISTRY_FLAGS, registryOptions } from "../registry-flags.ts";
import { pullImage } from "../../oci/image-pull.ts";
import { isOciReference, parseOciReference } from "../../oci/reference.ts";
import { Store } from "../../../store/store.ts";

const PROFILE_EXTENSIONS = new Set([".ts", ".mts", ".yaml", ".yml"]);
/** Which format boots when none is named: the quickest that the firmware can start. */
const PREFERENCE: Record<Firmware | "any", readonly Format[]> = { any: ["kernel", "bundle", "iso", "raw"], bios: ["kernel", "bundle", "iso", "raw"], uefi: ["iso", "raw"], uboot: ["raw"] };
const FIRMWARES = Object.keys(PREFERENCE).filter((f) => f !== "any");

export default defineCommand({
  name: "run",
  summary: "Boot a profile (built first) or an image in QEMU, print its serial console, and exit with the kernel's status, or 1 naming each service that failed.",
  positionals: [{ name: "PROFILE|IMAGE", description: "a profile (built first), or an image: a result folder, a .tar, .iso or .raw file,\nor oci://HOST/REPO:TAG|@sha256:HEX (pulled into the store first); none with --generation N", optional: true }],
  flags: {
    format: { type: "string", value: "F", description: "which image to boot: kernel, bundle, iso or raw (default: the first the image has, in that order)" },
    firmware: { type: "string", value: "F", description: "bios (SeaBIOS, x86_64's default), uefi (OVMF; boots iso and raw) or uboot (U-Boot, the default of aarch64 and riscv64; boots raw)" },
    store: { type: "string", value: "DIR", description: "the store to build into (default: exo.config.ts `store`, or $EXO_STORE)" },
    timeout: { type: "string", value: "SECONDS", description: "stop QEMU after this long (default: 60)" },
    selftest: { type: "boolean", description: "build PROFILE with the in-kernel tests (kernel.testMode = selftest) and check every EXO-TEST line" },
    bench: { type: "boolean", description: "build PROFILE with the in-kernel benchmarks (kernel.testMode = bench)" },
    ...EVAL_TIMEOUT_FLAG,
    generation: { type: "string", value: "N", description: "boot generation N's image (see `exo generations`), verified as any image is (an older generation is a rollback, not a downgrade)" },
    "firmware-log": { type: "string", value: "FILE", description: "write what the firmware and GRUB print before the kernel to FILE (stdout shows only the kernel's console)" },
    ...TRUST_FLAGS,
    ...REGISTRY_FLAGS,
  },
  async run({ values, positionals, usageError }) {
    setEvalTimeout(values["eval-timeout"]);
    if (values.generation === undefined && positionals.length === 0) throw usageError("missing PROFILE|IMAGE");
    const target = values.generation !== undefined ? await generationImage(values.generation, positionals, values.store) : positionals[0];
    const timeout = Number(values.timeout ?? "60");
    if (!(timeout > 0)) throw new ExoError("ERR_EXO_USAGE", `option --timeout expects a number of seconds above 0, got '${values.timeout}'`);
    const firmware = values.firmware as Firmware | undefined;
    if (firmware !== undefined && !FIRMWARES.includes(firmware)) throw new ExoError("ERR_EXO_USAGE", `option --firmware expects ${FIRMWARES.join(", ")}, got '${values.firmware}'`);
    if (values.format !== undefined && !Object.hasOwn(FORMAT_FILES, values.format)) {
      throw new ExoError("ERR_EXO_USAGE", `option --format: unknown format '${values.format}'`, `the formats are ${Object.keys(FORMAT_FILES).join(", ")}`);
    }
    if (values.selftest && values.bench) throw usageError("--selftest and --bench exclude each other");
    const testMode = values.selftest ? "selftest" : values.bench ? "bench" : undefined;
    const isOci = isOciReference(target!);
    const isProfile = !isOci && PROFILE_EXTENSIONS.has(extname(target!));
    if (testMode && !isProfile) throw usageError(`--${testMode} needs a PROFILE: the tests are compiled into the kernel`);
    const request = freshnessRequestOf(values);
    const trust = await loadTrust({ ...trustOptionsOf(values, isProfile || isOci ? undefined : target!), overrides: values.store ? { store: values.store } : {} });

    let image = target!;
    // An image this command builds, or a recorded generation, is not a replay: rolling back is the point.
    const ownImage = isProfile || values.generation !== undefined;
    if (isProfile) {
      const extraModules = testMode ? [commandLineModule(`--${testMode}`, { kernel: { testMode: mkForce(testMode) } })] : [];
      const result = await buildProfile(target!, trust.project, { extraModules });
      process.stderr.write(`built ${displayPath(result.outPath)}\n`);
      image = result.outPath;
    }
    if (isOci) {
      // Pulled and verified into the store (no result link: it stays until the next gc), then checked again as any image is.
      const ref = parseOciReference(target!, "exo run's IMAGE");
      image = (await pullImage(ref, { registry: registryOptions(trust.project, ref, values), trust, request, store: new Store(trust.project.store) })).path;
    }
    return withTempDir("run", async (dir) => {
      const report = await chooseAndAccept(image, values.format, firmware, trust, { ...request, ...(ownImage ? { allowDowngrade: true } : {}) }, dir);
      const arch = archOf(report);
      const bootTarget = await bootTargetOf(report, arch, dir);
      // The arch's default firmware unless one is named; a flat Image given to QEMU's -kernel runs without any.
      const used = firmware ?? (bootTarget.kind === "kernel" && portOf(arch).qemu.kernelFormat === "image" ? undefined : defaultFirmware(arch));
      const console = splitConsole((text) => process.stdout.write(text));
      const result = await boot(bootTarget, {
        qemu: trust.project.qemu[arch],
        arch,
        timeoutMs: timeout * 1000,
        ...(used ? { firmware: used } : {}),
        icount: testMode === "bench",
        onOutput: (text) => console.write(text),
      });
      if (values["firmware-log"] !== undefined) await writeFile(values["firmware-log"], console.firmware());
      if (result.timedOut) throw new ExoError("ERR_EXO_BOOT", `the kernel did not exit within ${timeout} s; QEMU was stopped`, "raise --timeout, or check that kernel.debugExit is on");
      if (result.kernelStatus === undefined) throw new ExoError("ERR_EXO_BOOT", `QEMU ended with status ${result.qemuStatus} before the kernel reported a status (a triple fault or reset ends QEMU under -no-reboot)`);
      const user = result.userMs !== undefined ? `; first user output after ${result.userMs} ms` : "";
      process.stderr.write(`kernel exited with status ${result.kernelStatus} after ${result.wallMs} ms (${report.format}${used ? `, ${used}` : ""})${user}\n`);
      const services = readServiceReport(result.output);
      const warning = initWarning(services);
      if (warning !== undefined) process.stderr.write(`warning: ${warning}\n`);
      const failure = servicesFailure(services);
      if (failure !== undefined) {
        throw new ExoError("ERR_EXO_BOOT", failure, "init's lines on the console show how each service ended; a daemon must keep running until init stops it");
      }
      if (testMode === "selftest") return Math.max(result.kernelStatus, reportTests(result.output));
      return result.kernelStatus;
    });
  },
});

/** The formats at IMAGE without opening them: the files of a result folder, or the one file given. */
async function presentFormats(image: string): Promise<Format[]> {
  const info = await stat(image).catch(() => undefined);
  if (!info) throw new ExoError("ERR_EXO_IMAGE_INVALID", `image ${displayPath(image)} does not exist`, "give a result folder (the link `exo build` leaves) or an image file: .tar, .iso or .raw");
  if (!info.isDirectory()) return [formatOfFile(image)];
  const names = new Set(await readdir(image));
  return (Object.entries(FORMAT_FILES) as [Format, string][]).filter(([, name]) => names.has(name)).map(([format]) => format);
}

/** Pick the format to boot, then accept it: checked, and copied into `dir` as it is hashed, so QEMU gets the bytes that were checked. */
/** The architecture an accepted image was built for (its signed manifest says), which picks the QEMU binary. */
function archOf(report: FormatReport): Arch {
  const arch = report.manifest?.arch;
  if (!archs.includes(arch as Arch)) throw new ExoError("ERR_EXO_VERIFY", `the image is built for ${arch ?? "no architecture"}, which exo cannot boot`, `exo boots ${archs.join(", ")} images`);
  return arch as Arch;
}

async function chooseAndAccept(image: string, format: string | undefined, firmware: Firmware | undefined, trust: Trust, request: FreshnessRequest, dir: string): Promise<FormatReport> {
  const available = await presentFormats(image);
  const wanted = format ? [format] : PREFERENCE[firmware ?? "any"];
  const chosen = wanted.map((f) => available.find((a) => a === f)).find((a) => a !== undefined);
  if (!chosen) {
    throw new ExoError(
      "ERR_EXO_IMAGE_INVALID",
      `${displayPath(image)} has no ${format ? `${format} image` : `image that ${firmware ?? "any"} firmware boots (${wanted.join(", ")})`}; it has: ${available.join(", ") || "none"}`,
      "add the format to image.formats in the profile, or pass --format",
    );
  }
  const acceptance = await acceptImage(image, trust, request, { workDir: dir, formats: [chosen], copy: true });
  const report = acceptance.check.formats.find((f) => f.format === chosen);
  if (!acceptance.ok || !report) {
    throw refusal(acceptance, `refusing to boot ${displayPath(report?.file ?? image)}`);
  }
  return report;
}

/** ISO and raw images boot as they are; a kernel is written out of the verified files with its initrd. */
async function bootTargetOf(report: FormatReport, arch: Arch, dir: string): Promise<BootTarget> {
  if (report.format === "iso" || report.format === "raw") return { kind: report.format, file: report.copy ?? report.file };
  // x86_64 boots the Multiboot ELF; the other ports a flat Image made from it.
  const path = portOf(arch).qemu.kernelFormat === "elf" ? "boot/kernel.elf" : KERNEL_IMAGE_PATH;
  const kernel = report.files.get(path);
  if (!kernel) throw new ExoError("ERR_EXO_IMAGE_INVALID", `${displayPath(report.file)} holds no ${path}`, `an ${arch} image boots ${path}`);
  const name = path.slice("boot/".length);
  await writeFile(join(dir, name), kernel);
  const initrd = report.files.get("boot/initrd.tar");
  if (initrd) await writeFile(join(dir, "initrd.tar"), initrd);
  return { kind: "kernel", kernel: join(dir, name), ...(initrd ? { initrd: join(dir, "initrd.tar") } : {}) };
}

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
