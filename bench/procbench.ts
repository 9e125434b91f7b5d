// Exo's kernel beside Debian's Linux, primitive by primitive: procbench
// (bench/packages/procbench) times getpid, a null syscall (-ENOSYS), a
// process switch (sched_yield between two processes), one page of kernel
// allocation (mmap, write, munmap), a 1-byte pipe round trip and
// fork+execve+wait4 of busybox's `true`, with rdtsc less its own cost. The
// same binary, as Exo's build makes it, runs under both kernels, each booted
// by QEMU with the same flags and -icount, so the figures are instruction
// counts. Boot to the first user output is wall time without -icount, median
// of 3: Linux's /init's first line, and the first line of Exo's init on the
// procbench image. When a side cannot be measured (no Debian kernel or
// busybox-static, no network for apt-get, a primitive the kernel refuses),
// the rows still carry the other side's figure and say why.
import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { boot } from "../generator/run/qemu.ts";
import { bootLinux } from "./linux-peer.ts";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const EXO = join(REPO, "bin/exo.js");
const PACKAGE = join(REPO, "bench/packages/procbench");
const PROFILE = join(REPO, "bench/profiles/procbench.ts");
const TIMEOUT_MS = 180_000;
/** Wall-time boots, each side: the median is taken. */
const BOOTS = 3;

export interface BenchRow {
  readonly name: string;
  readonly value: string;
  readonly note: string;
}

/** procbench's figures from a console: `procbench: NAME N` lines, by NAME. */
export function procbenchFigures(output: string): Map<string, number> {
  return new Map([...output.matchAll(/^procbench: (\w+) (\d+)\r?$/gm)].map((m) => [m[1]!, Number(m[2])]));
}

/** Why procbench could not measure a primitive: its `procbench: NAME unavailable (...)` lines, by NAME. */
export function procbenchUnavailable(output: string): Map<string, string> {
  return new Map([...output.matchAll(/^procbench: (\w+) unavailable \((.*)\)\r?$/gm)].map((m) => [m[1]!, m[2]!]));
}

const median = (values: readonly number[]): number => {
  const v = [...values].sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)]!;
};

function exoCommand(args: string[], cwd: string): string {
  try {
    return execFileSync(process.execPath, [EXO, ...args], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string };
    const lines = `${err.stderr ?? ""}${err.stdout ?? ""}`.split("\n");
    const at = lines.findIndex((l) => l.startsWith("error"));
    // An error line ending in ':' introduces its cause on the next line: keep both.
    const why = at < 0 ? String(e).split("\n")[0] : lines[at]!.endsWith(":") ? `${lines[at]} ${lines[at + 1]?.trim() ?? ""}` : lines[at];
    throw new Error(`exo ${args[0]} failed: ${why}`);
  }
}

/** procbench as Exo's build makes it: `exo publish` builds the package alone, so Linux gets it even when the image does not build. */
function procbenchBinary(dir: string): Promise<Buffer> {
  exoCommand(["publish", PACKAGE, "--out", "published"], dir);
  return readFile(join(dir, "published/procbench-0.1.0/bin/procbench"));
}

/** procbench's account of the switch benchmark's turns (how long the warm-up took, how often the partner ran), if it printed one. */
export function procbenchTurns(output: string): string | undefined {
  return /^procbench: thread_switch turns: (.*?)\r?$/m.exec(output)?.[1];
}

/** What one kernel gave: figures by name, why a primitive is missing, and why all of them are. */
interface Side {
  readonly peer: string;
  readonly figures: Map<string, number>;
  readonly unavailable: Map<string, string>;
  readonly turns?: string | undefined;
  readonly why: string;
  readonly bootMs: number[];
  readonly bootWhy: string;
}

const firstLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split("\n")[0]!;

async function linuxSide(dir: string): Promise<Side> {
  let peer = "Debian Linux";
  let figures = new Map<string, number>();
  let unavailable = new Map<string, string>();
  let turns: string | undefined;
  let why = "";
  try {
    const programs = { procbench: await procbenchBinary(dir) };
    const r = await bootLinux({ programs, commands: ["/exo/bin/procbench"], timeoutMs: TIMEOUT_MS, icount: true });
    peer = `Debian Linux ${r.kernel.release} (${r.kernel.version})`;
    figures = procbenchFigures(r.output);
    unavailable = procbenchUnavailable(r.output);
    turns = procbenchTurns(r.output);
    why = r.output.split("\n").find((l) => l.startsWith("procbench: FAIL")) ?? (r.timedOut ? "timed out" : "no figure on its console");
  } catch (e) {
    why = firstLine(e);
  }
  // Boot time: no program, wall time.
  const { bootMs, bootWhy } = await bootSeries(() => bootLinux({ programs: {}, commands: [], timeoutMs: 60_000, icount: false }), "/init");
  return { peer, figures, unavailable, turns, why, bootMs, bootWhy };
}

/** BOOTS boots' wall times to the first user output (`who` spoke); the first failure ends the series and says why. */
async function bootSeries(bootOnce: () => Promise<{ userMs?: number; timedOut: boolean }>, who: string): Promise<{ bootMs: number[]; bootWhy: string }> {
  const bootMs: number[] = [];
  try {
    for (let i = 0; i < BOOTS; i++) {
      const r = await bootOnce();
      if (r.userMs === undefined) throw new Error(r.timedOut ? `timed out before ${who} spoke` : `${who} never spoke`);
      bootMs.push(r.userMs);
    }
  } catch (e) {
    return { bootMs, bootWhy: firstLine(e) };
  }
  return { bootMs, bootWhy: "" };
}

/** The procbench image's kernel and initrd, booted with or without -icount. */
async function bootExo(dir: string, icount: boolean) {
  const files = join(dir, "result-procbench/kernel/boot");
  return boot({ kind: "kernel", kernel: join(files, "kernel.elf"), initrd: join(files, "initrd.tar") }, { qemu: "qemu-system-x86_64", timeoutMs: TIMEOUT_MS, icount });
}

/** Exo's figures: the profile built, its kernel and initrd booted with -icount; then booted BOOTS times for the wall time to the first user output. */
async function exoSide(dir: string): Promise<Side> {
  const peer = "Exo";
  try {
    exoCommand(["build", PROFILE, "--out-link", "result-procbench"], dir);
  } catch (e) {
    return { peer, figures: new Map(), unavailable: new Map(), why: firstLine(e), bootMs: [], bootWhy: firstLine(e) };
  }
  let figures = new Map<string, number>();
  let unavailable = new Map<string, string>();
  let turns: string | undefined;
  let why = "";
  try {
    const r = await bootExo(dir, true);
    figures = procbenchFigures(r.output);
    unavailable = procbenchUnavailable(r.output);
    turns = procbenchTurns(r.output);
    const lines = r.output.split("\n");
    // The likeliest cause first: its own failure, a kernel panic, a process killed, then the service's end.
    why = ([/^procbench: FAIL/, /^exo: panic/, /^exo: proc \d+ killed/, /^init: procbench /].map((re) => lines.find((l) => re.test(l))).find((l) => l !== undefined) ?? (r.timedOut ? `no figures within ${TIMEOUT_MS / 1000} s` : "no procbench lines on the console")).trim();
  } catch (e) {
    why = firstLine(e);
  }
  const { bootMs, bootWhy } = await bootSeries(() => bootExo(dir, false), "a user process");
  return { peer, figures, unavailable, turns, why, bootMs, bootWhy };
}

/** The rows: procbench's key, the row's name, and what the primitive measures. */
const ROWS = [
  ["getpid", "kernel: getpid syscall, vs Linux", "a raw `syscall` instruction, SYS_getpid (39), not libc's getpid(); median of 1000"],
  ["null_syscall", "kernel: null syscall (ENOSYS), vs Linux", "a raw `syscall` of number 1000, in neither kernel's table: entry, dispatch, -ENOSYS, return; median of 1000"],
  ["thread_switch", "kernel: process switch (sched_yield), vs Linux", "per switch: two processes (Exo's clone has no CLONE_VM threads) calling sched_yield in turn, the child's count (read with SIGUSR1) showing it ran in more than half of the parent's yields; half of the parent's yield, which spans the child's: each switch includes one sched_yield syscall; median of 400"],
  ["mmap_page", "kernel: page allocation (mmap+write+munmap), vs Linux", "mmap of one anonymous page, a write to it (the page allocated on the fault), munmap; median of 400"],
  ["pipe_round_trip", "kernel: pipe round trip", "1 byte parent -> child -> parent over two pipes, median of 400"],
  ["fork_exec_wait", "kernel: busybox true fork+exec+wait", "fork + execve(/exo/bin/true) + wait4, median of 40"],
] as const;

const UNIT = "instructions (QEMU -icount), not cycles";
// A console line may hold '|', which would split the markdown table's cell.
const cell = (text: string) => text.replace(/\|/g, "\\|");

function primitiveRow(key: string, name: string, what: string, exo: Side, linux: Side): BenchRow {
  const ours = exo.figures.get(key);
  const theirs = linux.figures.get(key);
  const missing = (side: Side) => `not measured (${side.unavailable.get(key) ?? (side.why || "no figure")})`;
  const linuxNote = `${linux.peer}: ${theirs === undefined ? missing(linux) : `${theirs}`}`;
  const overhead = [exo, linux].map((s) => s.figures.get("rdtsc_overhead"));
  const method = `rdtsc less its own cost (${overhead[0] ?? "?"} on Exo, ${overhead[1] ?? "?"} on Linux)`;
  // The yield alone tells how much of a switch is the syscall: give it beside the switch.
  const alone =
    key === "thread_switch"
      ? `; sched_yield with nobody to switch to: Exo ${exo.figures.get("sched_yield_alone") ?? "?"}, Linux ${linux.figures.get("sched_yield_alone") ?? "?"}; turns: Exo ${exo.turns ?? "?"}, Linux ${linux.turns ?? "?"}`
      : "";
  if (ours === undefined) return { name, value: "not measured", note: cell(`Exo: ${missing(exo)}; ${linuxNote}${theirs === undefined ? "" : ` ${UNIT}`}; ${what}${alone}`) };
  const ratio = theirs ? `; Exo/Linux ${(ours / theirs).toFixed(2)}x` : "";
  return { name, value: `${ours} instructions`, note: cell(`${UNIT}; ${linuxNote}${ratio}; ${what}${alone}; ${method}`) };
}

function bootRow(exo: Side, linux: Side): BenchRow {
  const name = "boot: first user output, procbench image vs Linux";
  const what = `QEMU start to the first line a user process prints (Exo: init's, the procbench profile; Linux: /init's echo), wall time without -icount, TCG, median of ${BOOTS}`;
  const theirs = linux.bootMs.length === BOOTS ? median(linux.bootMs) : undefined;
  const ours = exo.bootMs.length === BOOTS ? median(exo.bootMs) : undefined;
  const linuxNote = `${linux.peer}: ${theirs === undefined ? `not measured (${linux.bootWhy || "no figure"})` : `${theirs} ms (${linux.bootMs.join(", ")})`}`;
  if (ours === undefined) return { name, value: "not measured", note: cell(`Exo: not measured (${exo.bootWhy || "no figure"}); ${linuxNote}; ${what}`) };
  const ratio = theirs ? `; Exo/Linux ${(ours / theirs).toFixed(3)}x` : "";
  return { name, value: `${ours} ms`, note: cell(`Exo ${exo.bootMs.join(", ")}; ${linuxNote}${ratio}; ${what}`) };
}

/** The rows; `dir` is a project folder with exo.config.ts and a key pair. QEMU runs one at a time. */
export async function procbenchRows(dir: string): Promise<BenchRow[]> {
  // Either side may fail (no network for apt-get, a kernel without fork yet): the rows then say why.
  const linux = await linuxSide(dir);
  const exo = await exoSide(dir);
  return [...ROWS.map(([key, name, what]) => primitiveRow(key, name, what, exo, linux)), bootRow(exo, linux)];
}
