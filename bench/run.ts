// Benchmarks, as whole processes the way a user runs them. Writes a table to
// bench/results.md and prints it. Figures are wall-clock times on this
// machine; they belong here, never in tests.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evaluateModules } from "../generator/eval/evaluate.ts";
import { baseModules } from "../modules/index.ts";
import { largeSystem } from "./large-system.ts";
import { archRows } from "./arches.ts";
import { procbenchRows } from "./procbench.ts";
import { cacheRows } from "./cache.ts";
import { firmwareRows } from "./firmware.ts";
import { cliRows } from "./cli.ts";
import { evalScaleRows } from "./eval-scale.ts";
import { median, REPO, type Row, timed } from "./exo.ts";
import { mergeRows } from "./results-table.ts";
import { listTree } from "../store/tree.ts";

/** Store ingest hashing against sha256sum on the same 64 MiB of files. */
async function hashingRow(): Promise<Row> {
  const dir = await mkdtemp(join(tmpdir(), "exo-hash-"));
  for (let i = 0; i < 256; i++) {
    await mkdir(join(dir, `d${i % 16}`), { recursive: true });
    await writeFile(join(dir, `d${i % 16}`, `f${i}`), randomBytes(256 * 1024));
  }
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let r = 0; r < 3; r++) {
    let t0 = performance.now();
    await listTree(dir);
    ours.push(performance.now() - t0);
    t0 = performance.now();
    execFileSync("sh", ["-c", "find . -type f -print0 | sort -z | xargs -0 sha256sum > /dev/null"], { cwd: dir });
    theirs.push(performance.now() - t0);
  }
  await rm(dir, { recursive: true, force: true });
  const [a, b] = [median(ours), median(theirs)];
  return { name: "store ingest hashing, 64 MiB in 256 files", value: `${a.toFixed(0)} ms`, note: `sha256sum: ${b.toFixed(0)} ms (${(a / b).toFixed(2)}x); target within 2x` };
}

const USAGE = `usage: npx tsx bench/run.ts [--only SECTION]

Runs every benchmark and writes bench/results.md. --only runs one section and
replaces just its rows in bench/results.md. Sections:
  cli         how fast exo starts: --version, eval, a no-op build; compiled (dist/)
              beside from sources, Node alone and Nix's evaluator
  kernel      the server kernel's own benchmarks (exo run --bench): syscalls,
              switch, allocation, rings, in instructions under QEMU -icount
  eval-scale  100, 1,000 and 5,000 generated modules, in one file and one file
              each: exo eval beside nix-instantiate --eval --strict (nix-bin)
  procbench   the same static C program under Exo and Debian's Linux, QEMU -icount:
              getpid, a null syscall, a process switch, a page mmap+munmap, a pipe
              round trip, fork+exec+wait; and boot to the first user output
  arches      the server profile on x86_64, aarch64 and riscv64: kernel size,
              boot time, the in-kernel benchmarks
  cache       two runners sharing a binary cache in Debian's docker-registry:
              cold build, push, substituted build, a one-option change's push
  firmware    the server profile's iso and raw images booted under SeaBIOS and
              OVMF, beside an empty stub of the same medium and firmware
`;

/** The in-kernel benchmarks of the server profile: deterministic instruction counts under QEMU -icount. */
async function kernelRows(dir: string): Promise<Row[]> {
  const rows: Row[] = [];
  const kernelBench = timed(["run", join(REPO, "profiles/server.ts"), "--bench"], dir);
  // Targets in instructions (issue 18), beside the design's in cycles: only a KVM or bare-metal run turns one into the other.
  const targets: Record<string, string> = {
    ctx_switch: "a kernel-thread yield to another; target ≤ 80 instructions; design target 300-800 cycles",
    ring_oneway: "one 8-byte message pushed and popped; target ≤ 58 instructions (Linux kfifo's push+pop); design target (IPC) 350-500 cycles",
    ring_batched: "per message of a 32-message batch, ring_push_batch + ring_pop_batch, one reservation and one fence each; target ≤ 16 instructions; design target (IPC) 350-500 cycles",
    null_syscall: "the null syscall (SYS_null): hot tier, no stack; target ≤ 20 instructions (the floor is ~10-12); design target < 50-60 cycles",
    enosys_syscall: "a number in no tier: the full frame, the cold list searched, ENOSYS",
    getpid: "in the hot tier, without a trap frame (tests/kernel/bench.test.ts: cheaper than warm, warm than cold); target ≤ 24 instructions; design target < 50-60 cycles (syscall)",
    thread_cache_alloc_free: "kmalloc + kfree through the inline thread-cache fast path; target ≤ 30 instructions; design target ~8 cycles (allocation)",
    boot_to_user: "design target < 300 ms of wall time (see the boot row)",
    boot_to_ready: "kmain to the end of bring-up",
  };
  for (const m of kernelBench.stdout.matchAll(/^EXO-BENCH (\S+) (\d+(?:\.\d+)?) (\S+)$/gm)) {
    rows.push({ name: `kernel: ${m[1]}`, value: `${m[2]} ${m[3] === "cycles" ? "instructions" : m[3]}`, note: `QEMU TCG -icount: instructions, not cycles; ${m[1]!.startsWith("boot") ? "" : "each figure includes its loop (2-3 instructions); "}${targets[m[1]!] ?? ""}` });
  }
  return rows;
}

/** A project folder for the benchmarks: its own store and key pair. */
async function benchProject(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "exo-bench-"));
  await writeFile(join(dir, "package.json"), `{ "type": "module", "private": true }\n`);
  await writeFile(join(dir, "exo.config.ts"), `export default { store: "store", keys: { secretKey: "keys/bench.key", trusted: ["keys/bench.pub"] } };\n`);
  timed(["keygen"], dir);
  return dir;
}

/** One section alone: its rows printed, and put in place in bench/results.md. */
async function only(section: string): Promise<void> {
  const sections: Record<string, (dir: string) => Promise<Row[]>> = { cli: cliRows, kernel: kernelRows, "eval-scale": evalScaleRows, procbench: procbenchRows, arches: archRows, cache: cacheRows, firmware: firmwareRows };
  const run = sections[section];
  if (!run) {
    process.stderr.write(`error: unknown section '${section}'\n${USAGE}`);
    process.exit(1);
  }
  const dir = await benchProject();
  try {
    const rows = await run(dir);
    const file = join(REPO, "bench/results.md");
    await writeFile(file, mergeRows(await readFile(file, "utf8"), rows));
    process.stdout.write(["| benchmark | value | note |", "|---|---|---|", ...rows.map((r) => `| ${r.name} | ${r.value} | ${r.note} |`), ""].join("\n"));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const dir = await benchProject();
  const server = join(REPO, "profiles/server.ts");
  const rows: Row[] = [];

  const large = largeSystem(1000);
  const inProcess: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await evaluateModules([...baseModules, ...large]);
    inProcess.push(performance.now() - started);
  }
  rows.push({ name: "evaluate 1,000 modules / 10,000 definitions", value: `${median(inProcess).toFixed(0)} ms`, note: "in-process, median of 5; target < 300 ms" });
  rows.push(...(await evalScaleRows(join(dir, "eval-scale"))));

  const cold = timed(["build", server], dir);
  rows.push({ name: "exo build, cold store", value: `${cold.ms.toFixed(0)} ms`, note: `${cold.stderr.trim().split("\n").pop() ?? ""}; profiles/server.ts on 2 cores; target ≤ 5 s: ${cold.ms <= 5000 ? "met" : "not met"}` });

  // Start times: --version, eval, and a no-op build of what was just built.
  rows.push(...(await cliRows(dir)));

  // A package added to a built profile: exo new, then exo install and the rebuild the user waits for.
  await mkdir(join(dir, "profiles"), { recursive: true });
  await writeFile(join(dir, "profiles/box.ts"), `import { defineProfile } from ${JSON.stringify(join(REPO, "generator/api.ts"))};\nexport default defineProfile({ config: { system: { name: "box", arch: "x86_64" } } });\n`);
  timed(["build", "profiles/box.ts", "--no-link"], dir);
  timed(["new", "bench-app", "--template", "service"], dir);
  const install = timed(["install", "./bench-app", "--profile", "profiles/box.ts"], dir);
  const rebuild = timed(["build", "profiles/box.ts", "--no-link"], dir);
  rows.push({ name: "add one package to a built profile", value: `${(install.ms + rebuild.ms).toFixed(0)} ms`, note: `exo install ${install.ms.toFixed(0)} ms + exo build ${rebuild.ms.toFixed(0)} ms (${rebuild.stderr.trim().split("\n").pop() ?? ""}); target < 5 s` });

  // One option changed: which kernel files recompile, and how long it takes.
  for (const [option, file, target] of [
    ["kernel.scheduler.emaAlpha", "server-alpha.ts", 2],
    ["image.bootTimeoutSeconds", "server-menu-timeout.ts", 0],
  ] as const) {
    const changed = timed(["build", join(REPO, "bench/profiles", file), "--json", "--no-link"], dir);
    const built = changed.stdout.split("\n").filter((l) => l.includes('"type":"built"')).map((l) => (JSON.parse(l) as { id: string }).id);
    const recompiled = built.filter((id) => id.startsWith("obj:")).map((id) => id.slice(4));
    const note = `recompiled ${recompiled.length} files${recompiled.length ? `: ${recompiled.join(", ")}` : ""}; built ${built.length} derivations (${built.filter((id) => !id.startsWith("obj:")).join(", ")}); target at most ${target} kernel files`;
    rows.push({ name: `rebuild after ${option} changes`, value: `${changed.ms.toFixed(0)} ms`, note });
  }

  rows.push(await hashingRow());

  // Each format on its own: the image step's time and the size of what it makes.
  for (const format of ["bundle", "kernel", "iso", "raw"]) {
    const r = timed(["build", join(REPO, `bench/profiles/format-${format}.ts`), "--json", "--out-link", `result-${format}`], dir);
    const step = r.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as { type: string; id?: string; ms?: number }).find((e) => e.type === "built" && e.id === "image");
    const file = { bundle: "bundle.tar", kernel: "kernel/boot/kernel.elf", iso: "exo.iso", raw: "disk.raw" }[format]!;
    rows.push({ name: `image format ${format}`, value: `${(await stat(join(dir, `result-${format}`, file))).size} B`, note: `image step ${step?.ms ?? "?"} ms (${file})` });
  }

  const bundle = join(dir, "result/bundle.tar");
  rows.push({ name: "bundle size", value: `${(await stat(bundle)).size} B`, note: "every file of the image: kernel, initrd, GRUB images, SBOM, manifest, signature" });
  const kernelPath = JSON.parse(timed(["build", server, "--json"], dir).stdout.trim().split("\n").find((l) => l.includes('"kernel"'))!) as { path: string };
  rows.push({ name: "kernel.elf size", value: `${(await stat(join(dir, "store/v1/paths", kernelPath.path, "kernel.elf"))).size} B`, note: "design limit 256 KiB" });

  // Boot times on a shared 2-core machine swing by 2x from run to run: take the median of 7.
  const boots = [0, 1, 2, 3, 4, 5, 6].map(() => {
    const r = timed(["run", "result"], dir);
    const qemuMs = Number(/status \d+ after (\d+) ms/.exec(r.stderr)?.[1] ?? NaN);
    const userMs = Number(/first user output after (\d+) ms/.exec(r.stderr)?.[1] ?? NaN);
    return { whole: r.ms, qemu: qemuMs, user: userMs };
  });
  rows.push({ name: "boot: QEMU start to first user output", value: `${median(boots.map((b) => b.user)).toFixed(0)} ms`, note: "TCG, median of 7: init's first line; design target < 300 ms (Debian's Linux: the procbench boot row)" });
  rows.push({ name: "boot: QEMU start to kernel exit", value: `${median(boots.map((b) => b.qemu)).toFixed(0)} ms`, note: "TCG, median of 7: init starts and stops the services, then the kernel exits" });
  rows.push({ name: "exo run result (verify + boot)", value: `${median(boots.map((b) => b.whole)).toFixed(0)} ms`, note: "whole process, median of 7" });

  rows.push(...(await kernelRows(dir)));

  // Processes: Exo's kernel beside Debian's Linux, the same binary and QEMU flags.
  rows.push(...(await procbenchRows(dir)));
  // The three ports side by side.
  rows.push(...(await archRows(dir)));
  // Booting through firmware: iso and raw under SeaBIOS and OVMF, beside an empty stub.
  rows.push(...(await firmwareRows(dir)));
  // Two runners sharing a binary cache, in a project of their own (its exo.config.ts names the cache).
  rows.push(...(await cacheRows(await benchProject())));

  const table = [
    "# Benchmarks",
    "",
    `Machine: ${(await readFile("/proc/cpuinfo", "utf8").catch(() => "")).match(/model name\s*:\s*(.*)/)?.[1] ?? "unknown"}, QEMU TCG.`,
    "",
    "| benchmark | value | note |",
    "|---|---|---|",
    ...rows.map((r) => `| ${r.name} | ${r.value} | ${r.note} |`),
    "",
  ].join("\n");
  await writeFile(join(REPO, "bench/results.md"), table);
  process.stdout.write(table);
}

const argv = process.argv.slice(2);
if (argv.includes("--help") || argv.includes("-h")) process.stdout.write(USAGE);
else if (argv[0] === "--only" && argv[1]) await only(argv[1]);
else if (argv.length > 0) {
  process.stderr.write(`error: unexpected arguments: ${argv.join(" ")}\n${USAGE}`);
  process.exit(1);
} else await main();
