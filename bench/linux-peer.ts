// Boots Debian's Linux (bench/debian-kernel.ts) under QEMU with exactly the
// flags Exo's kernel boots with (generator/run/qemu.ts qemuArgs; only the
// kernel command line is added), on an initramfs that holds busybox, the
// static programs given, and an /init script that runs commands and powers
// off. Returns the serial console. Used by the process benchmarks and, as
// bench/linux-run.ts, to try a static program under Linux inside a guest.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { boot } from "../generator/run/qemu.ts";
import { type DebianKernel, debianKernel } from "./debian-kernel.ts";
import { type CpioEntry, newcArchive } from "./newc.ts";

/** Debian's busybox-static: the shell of /init, and /exo/bin/true as on Exo. */
export const HOST_BUSYBOX = "/bin/busybox";
/** The kernel command line: the serial console, no boot chatter, and a panic ends QEMU (-no-reboot). */
export const LINUX_APPEND = "console=ttyS0 quiet panic=-1";

export interface LinuxBootOptions {
  /** Static programs to place in /exo/bin by name. */
  readonly programs: Readonly<Record<string, Uint8Array>>;
  /** Shell commands /init runs, in order, before `poweroff -f`. */
  readonly commands: readonly string[];
  readonly timeoutMs: number;
  /** -icount: the TSC follows the instruction count, as for Exo's bench rows. */
  readonly icount: boolean;
  readonly memoryMiB?: number;
  readonly onOutput?: (text: string) => void;
}

export interface LinuxBoot {
  readonly kernel: DebianKernel;
  /** The serial console, CR LF made LF. */
  readonly output: string;
  readonly wallMs: number;
  readonly timedOut: boolean;
}

/** The /init script: runs each command, says how it ended, and powers off. */
function initScript(commands: readonly string[]): string {
  const lines = commands.map((c) => `${c}\necho "linux-peer: exit $? from ${c.replace(/["$`\\]/g, "")}"`);
  return ["#!/bin/sh", "mount -t proc proc /proc", ...lines, "poweroff -f", ""].join("\n");
}

export async function initramfs(programs: Readonly<Record<string, Uint8Array>>, commands: readonly string[]): Promise<Buffer> {
  const entries: CpioEntry[] = [
    { kind: "dir", path: "bin" },
    { kind: "dir", path: "dev" },
    { kind: "char", path: "dev/console", major: 5, minor: 1 },
    { kind: "char", path: "dev/null", major: 1, minor: 3 },
    { kind: "dir", path: "exo" },
    { kind: "dir", path: "exo/bin" },
    { kind: "dir", path: "proc" },
    { kind: "dir", path: "tmp" },
    { kind: "file", path: "bin/busybox", data: await readFile(HOST_BUSYBOX), mode: 0o755 },
    ...["sh", "poweroff", "mount", "echo"].map((applet): CpioEntry => ({ kind: "symlink", path: `bin/${applet}`, target: "busybox" })),
    { kind: "symlink", path: "exo/bin/busybox", target: "/bin/busybox" },
    { kind: "symlink", path: "exo/bin/true", target: "/bin/busybox" },
    ...Object.entries(programs).map(([name, data]): CpioEntry => ({ kind: "file", path: `exo/bin/${name}`, data, mode: 0o755 })),
    { kind: "file", path: "init", data: Buffer.from(initScript(commands)), mode: 0o755 },
  ];
  return newcArchive(entries);
}

export async function bootLinux(opts: LinuxBootOptions): Promise<LinuxBoot> {
  const kernel = debianKernel();
  const dir = await mkdtemp(join(tmpdir(), "exo-linux-peer-"));
  try {
    const initrd = join(dir, "initramfs.cpio");
    await writeFile(initrd, await initramfs(opts.programs, opts.commands));
    const r = await boot(
      { kind: "kernel", kernel: kernel.vmlinuz, initrd, append: LINUX_APPEND },
      { qemu: "qemu-system-x86_64", timeoutMs: opts.timeoutMs, icount: opts.icount, ...(opts.memoryMiB ? { memoryMiB: opts.memoryMiB } : {}), ...(opts.onOutput ? { onOutput: opts.onOutput } : {}) },
    );
    const { output, wallMs, timedOut } = r;
    if (!timedOut && r.qemuStatus !== 0) throw new Error(`qemu-system-x86_64 ended with status ${r.qemuStatus}: ${output.slice(-400)}`);
    return { kernel, output: output.replace(/\r\n/g, "\n"), wallMs, timedOut };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
