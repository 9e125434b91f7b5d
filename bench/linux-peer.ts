// Boots Debian's Linux (bench/debian-kernel.ts) under QEMU with exactly the
// flags Exo's kernel boots with (generator/run/qemu.ts qemuArgs; only the
// kernel command line is added), on an initramfs that holds busybox, the
// static programs given, and an /init script that says it started, runs
// commands and powers off. Returns the serial console and when /init's first
// line arrived (the boot time beside Exo's first user output). A missing
// busybox-static is an error that says what to install. Used by the process
// benchmarks and, as bench/linux-run.ts, to try a static program under Linux
// inside a guest.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { boot } from "../generator/run/qemu.ts";
import { type DebianKernel, debianKernel } from "./debian-kernel.ts";
import { type CpioEntry, newcArchive } from "./newc.ts";

/** Debian's busybox-static: the shell of /init, and /exo/bin/true as on Exo. */
export const HOST_BUSYBOX = "/bin/busybox";
/** /init's first line: the guest's first user output, timed from QEMU's start. */
export const INIT_MARKER = "linux-peer: /init started";
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
  /** When /init's first line (INIT_MARKER) arrived on the serial console, in ms after QEMU started (within a millisecond), if it did. */
  readonly userMs: number | undefined;
  readonly timedOut: boolean;
}

/** The /init script: runs each command, says how it ended, and powers off. */
function initScript(commands: readonly string[]): string {
  const lines = commands.map((c) => `${c}\necho "linux-peer: exit $? from ${c.replace(/["$`\\]/g, "")}"`);
  return ["#!/bin/sh", `echo "${INIT_MARKER}"`, "mount -t proc proc /proc", ...lines, "poweroff -f", ""].join("\n");
}

/**
 * Debian's busybox-static, or an error that says what to install: the
 * initramfs has no libraries, so a dynamically linked busybox (Debian's
 * `busybox` package) cannot run as its shell.
 */
export async function hostBusybox(): Promise<Buffer> {
  const hint = "install Debian's busybox-static (bash scripts/setup.sh installs it)";
  const data = await readFile(HOST_BUSYBOX).catch(() => {
    throw new Error(`${HOST_BUSYBOX} is missing: ${hint}`);
  });
  if (!isStaticElf(data)) throw new Error(`${HOST_BUSYBOX} is not a static x86_64 executable (Debian's busybox rather than busybox-static?): ${hint}`);
  return data;
}

/** An x86_64 ELF executable without a program interpreter (PT_INTERP): one that needs no dynamic loader. */
export function isStaticElf(data: Buffer): boolean {
  if (data.length < 64 || data.readUInt32BE(0) !== 0x7f454c46 || data[4] !== 2 || data[5] !== 1 || data.readUInt16LE(18) !== 62) return false;
  const phoff = Number(data.readBigUInt64LE(32));
  const phentsize = data.readUInt16LE(54);
  const phnum = data.readUInt16LE(56);
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 4 > data.length) return false;
    if (data.readUInt32LE(at) === 3) return false; // PT_INTERP
  }
  return true;
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
    { kind: "file", path: "bin/busybox", data: await hostBusybox(), mode: 0o755 },
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
    // boot() spawns QEMU right after looking it up on PATH: the clock starts here, as its own does.
    let seen = "";
    let userMs: number | undefined;
    const started = performance.now();
    const onOutput = (text: string) => {
      if (userMs === undefined) {
        seen += text;
        if (seen.includes(`${INIT_MARKER}\r\n`) || seen.includes(`${INIT_MARKER}\n`)) userMs = Math.round(performance.now() - started);
      }
      opts.onOutput?.(text);
    };
    const r = await boot(
      { kind: "kernel", kernel: kernel.vmlinuz, initrd, append: LINUX_APPEND },
      { qemu: "qemu-system-x86_64", timeoutMs: opts.timeoutMs, icount: opts.icount, ...(opts.memoryMiB ? { memoryMiB: opts.memoryMiB } : {}), onOutput },
    );
    const { output, wallMs, timedOut } = r;
    if (!timedOut && r.qemuStatus !== 0) throw new Error(`qemu-system-x86_64 ended with status ${r.qemuStatus}: ${output.slice(-400)}`);
    return { kernel, output: output.replace(/\r\n/g, "\n"), wallMs, userMs, timedOut };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
