// Process benchmarks, Exo's kernel beside Debian's Linux: procbench
// (bench/packages/procbench) times fork+execve+wait4 of busybox's `true` and
// 1-byte pipe round trips with rdtsc. The same binary, as Exo's build makes
// it, runs under both kernels, each booted by QEMU with the same flags and
// -icount, so the figures are instruction counts. When Exo's side cannot be
// measured yet, the rows still carry Linux's figures and say why.
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

export interface BenchRow {
  readonly name: string;
  readonly value: string;
  readonly note: string;
}

/** procbench's figures from a console: fork_exec_wait and pipe_round_trip. */
export function procbenchFigures(output: string): Map<string, number> {
  return new Map([...output.matchAll(/^procbench: (fork_exec_wait|pipe_round_trip) (\d+)\r?$/gm)].map((m) => [m[1]!, Number(m[2])]));
}

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

/** Exo's figures: the profile built, its kernel and initrd booted with -icount. */
async function exoFigures(dir: string): Promise<Map<string, number>> {
  exoCommand(["build", PROFILE, "--out-link", "result-procbench"], dir);
  const boot_ = join(dir, "result-procbench/kernel/boot");
  const r = await boot({ kind: "kernel", kernel: join(boot_, "kernel.elf"), initrd: join(boot_, "initrd.tar") }, { qemu: "qemu-system-x86_64", timeoutMs: TIMEOUT_MS, icount: true });
  const figures = procbenchFigures(r.output);
  if (figures.size < 2) {
    const lines = r.output.split("\n");
    // The likeliest cause first: its own failure, a kernel panic, a process killed, then the service's end.
    const why = [/^procbench: FAIL/, /^exo: panic/, /^exo: proc \d+ killed/, /^init: procbench /].map((re) => lines.find((l) => re.test(l))).find((l) => l !== undefined);
    throw new Error((why ?? (r.timedOut ? `no figures within ${TIMEOUT_MS / 1000} s` : "no procbench lines on the console")).trim());
  }
  return figures;
}

const ROWS = [
  ["fork_exec_wait", "kernel: busybox true fork+exec+wait", "fork + execve(/exo/bin/true) + wait4, median of 40"],
  ["pipe_round_trip", "kernel: pipe round trip", "1 byte parent -> child -> parent over two pipes, median of 400"],
] as const;

/** The two rows; `dir` is a project folder with exo.config.ts and a key pair. */
export async function procbenchRows(dir: string): Promise<BenchRow[]> {
  // Either side may fail (no network for apt-get, a kernel without fork yet): the rows then say why.
  const linux = await (async () => {
    const programs = { procbench: await procbenchBinary(dir) };
    const r = await bootLinux({ programs, commands: ["/exo/bin/procbench"], timeoutMs: TIMEOUT_MS, icount: true });
    const why = r.output.split("\n").find((l) => l.startsWith("procbench: FAIL")) ?? (r.timedOut ? "timed out" : "no figure on its console");
    return { peer: `Debian Linux ${r.kernel.release} (${r.kernel.version})`, figures: procbenchFigures(r.output), why };
  })().catch((e: Error) => ({ peer: "Debian Linux", figures: new Map<string, number>(), why: e.message.split("\n")[0]! }));
  let exo: Map<string, number> | undefined;
  let reason = "";
  try {
    exo = await exoFigures(dir);
  } catch (e) {
    reason = (e as Error).message;
  }
  return ROWS.map(([key, name, what]) => {
    const theirs = linux.figures.get(key);
    const ours = exo?.get(key);
    const unit = "instructions (QEMU -icount), not cycles";
    const linuxNote = theirs === undefined ? `${linux.peer}: not measured (${linux.why})` : `${linux.peer}: ${theirs}`;
    // A console line may hold '|', which would split the markdown table's cell.
    const cell = (text: string) => text.replace(/\|/g, "\\|");
    if (ours === undefined) return { name, value: "not measured", note: cell(`Exo: not measured (${reason || "no figure"}); ${linuxNote}${theirs === undefined ? "" : ` ${unit}`}; ${what}`) };
    const ratio = theirs ? ` (${(ours / theirs).toFixed(2)}x)` : "";
    return { name, value: `${ours} instructions`, note: cell(`${unit}; ${linuxNote}${ratio}; ${what}`) };
  });
}
