// Boot a kernel under QEMU (TCG), stream its serial console, and return the
// status the kernel wrote to isa-debug-exit. QEMU exits with
// (value << 1) | 1 for a value written there, so odd statuses carry the
// kernel's own; anything else means the kernel never reached its exit.
import { spawn } from "node:child_process";
import { ExoError } from "../errors.ts";
import { which } from "../toolchain.ts";

export interface BootOptions {
  readonly qemu: string;
  readonly timeoutMs: number;
  readonly memoryMiB?: number;
  /**
   * Run QEMU with -icount: the virtual clock follows the instruction count, so
   * cycle figures (rdtsc) are deterministic instruction-clock counts, not host time.
   */
  readonly icount?: boolean;
  /** Called with each chunk of serial output as it arrives. */
  readonly onOutput?: (text: string) => void;
}

export interface BootResult {
  /** The kernel's exit value, or undefined when QEMU ended another way. */
  readonly kernelStatus: number | undefined;
  readonly qemuStatus: number | null;
  readonly output: string;
  readonly wallMs: number;
  readonly timedOut: boolean;
}

export function qemuArgs(kernel: string, memoryMiB = 128, icount = false): string[] {
  return [
    ...(icount ? ["-icount", "shift=0,sleep=off"] : []),
    "-kernel", kernel,
    "-m", `${memoryMiB}M`,
    "-accel", "tcg",
    "-display", "none",
    "-serial", "stdio",
    "-monitor", "none",
    "-no-reboot",
    "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
  ];
}

export async function bootKernel(kernel: string, opts: BootOptions): Promise<BootResult> {
  if (!(await which(opts.qemu))) {
    throw new ExoError("ERR_EXO_TOOL_MISSING", `${opts.qemu} was not found on PATH`, "install the Debian package qemu-system-x86 (bash scripts/setup.sh installs everything)");
  }
  const started = performance.now();
  const child = spawn(opts.qemu, qemuArgs(kernel, opts.memoryMiB, opts.icount), { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (text: string) => {
    output += text;
    opts.onOutput?.(text);
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
    throw new ExoError("ERR_EXO_BOOT", `QEMU could not boot the kernel: ${stderr.trim().split("\n")[0]}`);
  }
  const kernelStatus = !timedOut && qemuStatus !== null && qemuStatus % 2 === 1 ? (qemuStatus - 1) >> 1 : undefined;
  return { kernelStatus, qemuStatus, output, wallMs, timedOut };
}
