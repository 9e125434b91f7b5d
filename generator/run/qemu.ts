// Boot an image under QEMU (TCG), stream its serial console, and return
// the status the kernel halted with. Every port makes QEMU exit with
// (status << 1) | 1 (x86_64 through isa-debug-exit, aarch64 through
// semihosting, riscv64 through the sifive_test device), so odd statuses
// carry the kernel's own; anything else means it never reached its halt.
import { spawn } from "node:child_process";
import { access } from "node:fs/promises";
import { ExoError } from "../errors.ts";
import { portOf } from "../../kernel-src/ports.ts";
import type { Firmware, FirmwareBoot } from "../../kernel-src/port.ts";
import type { Arch } from "../../schemas/system.ts";
import { which } from "../toolchain.ts";

/** What QEMU boots: a multiboot kernel (with its initrd as a module), a CD image, or a disk image. */
export type BootTarget =
  | { readonly kind: "kernel"; /** The Multiboot ELF (x86_64) or the flat Image (the other ports). */ readonly kernel: string; readonly initrd?: string; /** A command line (another kernel's: the bench boots Debian's Linux). */ readonly append?: string }
  | { readonly kind: "iso"; readonly file: string }
  | { readonly kind: "raw"; readonly file: string };

export type { Firmware } from "../../kernel-src/port.ts";

/** The firmware a port boots its disk images under when none is named: the first it lists. */
export function defaultFirmware(arch: Arch): Firmware {
  return (Object.keys(portOf(arch).qemu.firmwares ?? {})[0] ?? "bios") as Firmware;
}

/** What QEMU needs to start `firmware` for `arch`, or an error naming the firmwares the arch has. */
export function firmwareBoot(arch: Arch, firmware: Firmware): FirmwareBoot {
  const all = portOf(arch).qemu.firmwares ?? {};
  const boot = all[firmware];
  if (boot === undefined) throw new ExoError("ERR_EXO_USAGE", `option --firmware: an ${arch} image does not boot under ${firmware}`, `${arch} boots under ${Object.keys(all).join(" or ") || "no firmware (use --format kernel)"}`);
  return boot;
}

export interface BootOptions {
  readonly qemu: string;
  /** Which port's machine QEMU emulates (default x86_64). */
  readonly arch?: Arch;
  readonly timeoutMs: number;
  readonly firmware?: Firmware;
  readonly memoryMiB?: number;
  /**
   * Run QEMU with -icount: the virtual clock follows the instruction count, so
   * cycle figures (rdtsc) are deterministic instruction-clock counts, not host time.
   */
  readonly icount?: boolean;
  /** Called with each chunk of serial output as it arrives. */
  readonly onOutput?: (text: string) => void;
  /** Bytes to type on the serial console once the given text has appeared (a boot menu choice). */
  readonly input?: { readonly after: string; readonly send: string };
}

export interface BootResult {
  /** The kernel's exit value, or undefined when QEMU ended another way. */
  readonly kernelStatus: number | undefined;
  readonly qemuStatus: number | null;
  readonly output: string;
  readonly wallMs: number;
  /** When the first user process first printed a line (ms after QEMU started), if it did. */
  readonly userMs: number | undefined;
  readonly timedOut: boolean;
}

export function qemuArgs(target: BootTarget, opts: Pick<BootOptions, "firmware" | "memoryMiB" | "icount" | "arch">): string[] {
  const args = [
    ...(opts.icount ? ["-icount", "shift=0,sleep=off"] : []),
    "-m", `${opts.memoryMiB ?? (opts.firmware !== undefined && opts.firmware !== "bios" ? 256 : 128)}M`,
    "-accel", "tcg",
    // No default NIC (and its iPXE ROM), VGA or floppy: ~50 ms less to start, and nothing the kernel uses.
    "-nodefaults",
    "-display", "none",
    "-serial", "stdio",
    "-monitor", "none",
    "-no-reboot",
    // The machine, its CPU and the device that carries the kernel's status out.
    ...portOf(opts.arch ?? "x86_64").qemu.args,
  ];
  const arch = opts.arch ?? "x86_64";
  if (target.kind !== "kernel" || opts.firmware === "uefi") args.push(...firmwareBoot(arch, opts.firmware ?? defaultFirmware(arch)).args);
  if (target.kind === "kernel") args.push("-kernel", target.kernel, ...(target.initrd ? ["-initrd", target.initrd] : []), ...(target.append ? ["-append", target.append] : []));
  else if (target.kind === "iso") args.push("-cdrom", target.file);
  // snapshot=on: writes go to a temporary overlay, so a read-only store path can boot.
  else args.push("-drive", `file=${target.file},format=raw,if=${portOf(arch).qemu.diskInterface ?? "ide"},snapshot=on`);
  return args;
}

/** A whole line on the console after the kernel's bring-up that the kernel did not print: the first user process speaking. */
const USER_LINE = /^exo: boot complete\r?\n(?:(?:exo: |EXO-)[^\n]*\n)*[^\n]+\n/m;

export async function boot(target: BootTarget, opts: BootOptions): Promise<BootResult> {
  if (!(await which(opts.qemu))) {
    throw new ExoError("ERR_EXO_TOOL_MISSING", `${opts.qemu} was not found on PATH`, `install the Debian package ${portOf(opts.arch ?? "x86_64").qemu.qemuPackage} (bash scripts/setup.sh installs everything)`);
  }
  const arch = opts.arch ?? "x86_64";
  if (target.kind !== "kernel" || opts.firmware === "uefi") {
    const firmware = opts.firmware ?? defaultFirmware(arch);
    const fw = firmwareBoot(arch, firmware);
    for (const file of fw.files) {
      if (!(await access(file).then(() => true, () => false))) {
        throw new ExoError("ERR_EXO_TOOL_MISSING", `${firmware} firmware ${file} was not found`, `install the Debian package ${fw.package} (bash scripts/setup.sh installs everything)`);
      }
    }
  }
  if (opts.firmware === "uefi" && target.kind === "kernel") {
    throw new ExoError("ERR_EXO_USAGE", "--firmware uefi boots the iso or raw format, not a bare kernel", "add \"iso\" or \"raw\" to image.formats and pass --format");
  }
  const started = performance.now();
  const child = spawn(opts.qemu, qemuArgs(target, opts), { stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  let stderr = "";
  let typed = false;
  let userMs: number | undefined;
  child.stdout.setEncoding("utf8").on("data", (text: string) => {
    output += text;
    if (userMs === undefined && USER_LINE.test(output)) userMs = Math.round(performance.now() - started);
    opts.onOutput?.(text);
    if (opts.input && !typed && output.includes(opts.input.after)) {
      typed = true;
      child.stdin.write(opts.input.send);
    }
  });
  child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, opts.timeoutMs);
  const qemuStatus = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve(code));
  });
  clearTimeout(timer);
  const wallMs = Math.round(performance.now() - started);
  if (!timedOut && qemuStatus !== null && qemuStatus % 2 === 0 && stderr.trim()) {
    throw new ExoError("ERR_EXO_BOOT", `QEMU could not boot the image: ${stderr.trim().split("\n")[0]}`);
  }
  const kernelStatus = !timedOut && qemuStatus !== null && qemuStatus % 2 === 1 ? (qemuStatus - 1) >> 1 : undefined;
  return { kernelStatus, qemuStatus, output, wallMs, userMs, timedOut };
}
