// Evaluation at scale, Exo beside Nix (issue 18): N generated modules, all in
// one file or one file per module, each of the shape of bench/large-system.ts
// (two options; ten definitions: a mkDefault and a plain value for its own
// level, seven list elements for other modules' tags, and a lazy mkIf that
// reads the next module's level). Exo evaluates them with `exo eval PROFILE
// --json`, Nix with `nix-instantiate --eval --strict --json` through
// nixpkgs' lib.evalModules (the copy in /work/shared/reference), each as a
// whole process under GNU time for its peak RSS. Both must print the same
// `bench` tree, else the workloads differ and the bench throws.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { EXO, median, REPO, type Row } from "./exo.ts";

export const NIX_LIB = process.env.EXO_NIXPKGS_LIB ?? resolve(REPO, "../shared/reference/nixpkgs-lib/lib");
const SIZES = [100, 1000, 5000] as const;
const LAYOUTS = ["one file", "file per module"] as const;
type Layout = (typeof LAYOUTS)[number];
const TIME = "/usr/bin/time";

/** The other modules whose tags module i adds to: seven, spread by a stride, as in bench/large-system.ts. */
const targets = (i: number, n: number): number[] => Array.from({ length: 7 }, (_, k) => (i + k * 131) % n);

/** Module i as the body of an Exo defineModule({...}). */
function exoModule(i: number, n: number): string {
  const name = `m${i}`;
  const next = `m${(i + 1) % n}`;
  const defs = [
    `{ bench: { ${name}: { level: mkDefault(${i}) } } }`,
    `{ bench: { ${name}: { level: ${i} } } }`,
    ...targets(i, n).map((t, k) => `{ bench: { m${t}: { tags: ["${name}-${k}"] } } }`),
    `mkIf((config: any) => config.bench.${next}.level % 2 === 0, { bench: { ${next}: { tags: ["even-from-${name}"] } } })`,
  ];
  return [
    `defineModule({`,
    `  options: { bench: { ${name}: {`,
    `    level: option({ type: z.number().int(), default: 0, description: "A number.", example: 1 }),`,
    `    tags: option({ type: z.array(z.string()), default: [], description: "A list.", example: ["x"] }),`,
    `  } } },`,
    `  config: mkMerge([`,
    ...defs.map((d) => `    ${d},`),
    `  ]),`,
    `})`,
  ].join("\n");
}

/** Module i as a Nix module function. */
function nixModule(i: number, n: number): string {
  const name = `m${i}`;
  const next = `m${(i + 1) % n}`;
  const defs = [
    `{ bench.${name}.level = lib.mkDefault ${i}; }`,
    `{ bench.${name}.level = ${i}; }`,
    ...targets(i, n).map((t, k) => `{ bench.m${t}.tags = [ "${name}-${k}" ]; }`),
    `(lib.mkIf (lib.mod config.bench.${next}.level 2 == 0) { bench.${next}.tags = [ "even-from-${name}" ]; })`,
  ];
  return [
    `{ lib, config, ... }: {`,
    `  options.bench.${name} = {`,
    `    level = lib.mkOption { type = lib.types.int; default = 0; description = "A number."; example = 1; };`,
    `    tags = lib.mkOption { type = lib.types.listOf lib.types.str; default = [ ]; description = "A list."; example = [ "x" ]; };`,
    `  };`,
    `  config = lib.mkMerge [`,
    ...defs.map((d) => `    ${d}`),
    `  ];`,
    `}`,
  ].join("\n");
}

const EXO_HEADER = `import { defineModule, defineProfile, mkDefault, mkIf, mkMerge, option } from "exo";\nimport { z } from "zod";\n`;

/** Writes both workloads for (n, layout) under `dir`; returns Exo's profile and Nix's expression file. */
export async function writeWorkload(dir: string, n: number, layout: Layout): Promise<{ profile: string; nix: string }> {
  const root = join(dir, `n${n}-${layout === "one file" ? "one" : "many"}`);
  await rm(root, { recursive: true, force: true });
  await mkdir(join(root, "modules"), { recursive: true });
  const indices = Array.from({ length: n }, (_, i) => i);
  const profile = join(root, "profile.ts");
  const modulesNix = join(root, "modules.nix");
  if (layout === "one file") {
    await writeFile(profile, `${EXO_HEADER}\nexport default defineProfile({\n  imports: [\n${indices.map((i) => exoModule(i, n)).join(",\n")},\n  ],\n});\n`);
    await writeFile(modulesNix, `[\n${indices.map((i) => `(${nixModule(i, n)})`).join("\n")}\n]\n`);
  } else {
    for (const i of indices) {
      await writeFile(join(root, "modules", `m${i}.ts`), `${EXO_HEADER}\nexport default ${exoModule(i, n)};\n`);
      await writeFile(join(root, "modules", `m${i}.nix`), `${nixModule(i, n)}\n`);
    }
    await writeFile(profile, `import { defineProfile } from "exo";\n\nexport default defineProfile({\n  imports: [\n${indices.map((i) => `    "./modules/m${i}.ts",`).join("\n")}\n  ],\n});\n`);
    await writeFile(modulesNix, `[\n${indices.map((i) => `  ./modules/m${i}.nix`).join("\n")}\n]\n`);
  }
  const nix = join(root, "eval.nix");
  await writeFile(nix, `let lib = import ${NIX_LIB}; in (lib.evalModules { modules = import ./modules.nix; }).config.bench\n`);
  return { profile, nix };
}

interface Run {
  readonly ms: number;
  /** User plus system CPU time, children included: steadier than wall time on a busy machine. */
  readonly cpuMs: number;
  readonly kib: number;
  readonly stdout: string;
}

/** `command args` as a whole process under GNU time: wall time, CPU time, peak RSS (KiB), stdout. Throws with its output when it fails. */
function measured(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Run {
  const memFile = join(cwd, ".peak-rss");
  const started = performance.now();
  const r = spawnSync(TIME, ["-f", "%M %U %S", "-o", memFile, command, ...args], { cwd, env, encoding: "utf8", maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "pipe"] });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${r.status ?? r.signal}):\n${r.stderr}`.slice(0, 4000));
  const [kib, user, system] = readFileSync(memFile, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
  if (!(kib! > 0) || !Number.isFinite(user) || !Number.isFinite(system)) throw new Error(`no peak RSS and CPU time from ${TIME} for ${command}`);
  return { ms, cpuMs: (user! + system!) * 1000, kib: kib!, stdout: r.stdout };
}

/** Runs `once` `times` times: the median wall time, CPU time and peak RSS, and the first stdout. */
function repeated(times: number, once: () => Run): Run {
  const runs = Array.from({ length: times }, once);
  return { ms: median(runs.map((r) => r.ms)), cpuMs: median(runs.map((r) => r.cpuMs)), kib: median(runs.map((r) => r.kib)), stdout: runs[0]!.stdout };
}

/** Whether bin/exo.js runs the compiled dist/ now (bin/compiled.mjs): sources edited since the build make it run the sources instead. */
function distFresh(): boolean {
  const check = `import(${JSON.stringify(pathToFileURL(join(REPO, "bin/compiled.mjs")).href)}).then(async (m) => process.exit((await m.freshDist()) ? 0 : 3))`;
  return spawnSync(process.execPath, ["--input-type=module", "-e", check], { stdio: "ignore", env: { ...process.env, EXO_FROM_SOURCES: "" } }).status === 0;
}

/** dist/ built again when it no longer matches the sources, so that the compiled path is the one measured. */
function freshenDist(): void {
  if (distFresh()) return;
  const r = spawnSync(process.execPath, [join(REPO, "scripts/build-cli.mjs")], { cwd: REPO, encoding: "utf8" });
  if (r.status !== 0 || !distFresh()) throw new Error(`node scripts/build-cli.mjs did not leave a fresh dist/:\n${r.stderr}`);
}

function hasNix(): boolean {
  return spawnSync("nix-instantiate", ["--version"], { stdio: "ignore" }).status === 0 && existsSync(join(NIX_LIB, "default.nix"));
}

const fmtMs = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);
const fmtMem = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;

/** Exo's `bench` tree from `exo eval --json`. */
function exoBench(stdout: string): unknown {
  return (JSON.parse(stdout) as { value: { bench?: unknown } }).value.bench;
}

type BenchTree = Record<string, { level: number; tags: string[] }>;

/**
 * Where Exo's `bench` tree and Nix's differ, if they do: every module's level,
 * and its tags as a multiset. (The order of list elements from different
 * modules is not compared: nixpkgs' lib lists later modules' elements first,
 * Exo lists them in module order.)
 */
export function difference(exo: unknown, nix: unknown): string | undefined {
  const a = exo as BenchTree;
  const b = nix as BenchTree;
  const names = Object.keys(a).sort();
  if (!isDeepStrictEqual(names, Object.keys(b).sort())) return `modules ${names.length} in Exo, ${Object.keys(b).length} in Nix`;
  for (const name of names) {
    if (a[name]!.level !== b[name]!.level) return `${name}.level is ${a[name]!.level} in Exo, ${b[name]!.level} in Nix`;
    const [ta, tb] = [[...a[name]!.tags].sort(), [...b[name]!.tags].sort()];
    if (!isDeepStrictEqual(ta, tb)) return `${name}.tags is ${JSON.stringify(ta)} in Exo, ${JSON.stringify(tb)} in Nix (sorted)`;
  }
  return undefined;
}

/** Rows for N = 100, 1,000, 5,000 in both layouts; `dir` is a scratch folder (the workloads are written there). */
export async function evalScaleRows(dir: string, sizes: readonly number[] = SIZES): Promise<Row[]> {
  if (!existsSync(TIME)) throw new Error(`${TIME} (GNU time) is missing: apt-get install time`);
  await mkdir(dir, { recursive: true });
  // A project of the user's kind: "exo" and "zod" resolve from its node_modules.
  await writeFile(join(dir, "package.json"), `{ "type": "module", "private": true }\n`);
  await mkdir(join(dir, "node_modules"), { recursive: true });
  for (const [link, target] of [["exo", REPO], ["zod", join(REPO, "node_modules/zod")]] as const) {
    await rm(join(dir, "node_modules", link), { force: true });
    await symlink(target, join(dir, "node_modules", link));
  }
  const nix = hasNix();
  const nixEnv = { ...process.env, NIX_STATE_DIR: join(dir, ".nix/state"), NIX_STORE_DIR: join(dir, ".nix/store"), NIX_LOG_DIR: join(dir, ".nix/log") };
  // The TypeScript cache starts empty: the first run of each workload is a cold one.
  const exoEnv = { ...process.env, XDG_CACHE_HOME: join(dir, ".cache") };
  await rm(join(dir, ".cache"), { recursive: true, force: true });
  const rows: Row[] = [];
  for (const n of sizes) {
    for (const layout of LAYOUTS) {
      const w = await writeWorkload(dir, n, layout);
      const times = n >= 5000 ? 1 : 3;
      const exoRun = (env: NodeJS.ProcessEnv) => () => measured(process.execPath, [EXO, "eval", w.profile, "--json", "--eval-timeout", "1800"], dir, env);
      freshenDist();
      const cold = exoRun(exoEnv)();
      const compiled = repeated(times, exoRun(exoEnv));
      // Someone editing exo's sources meanwhile turns the compiled runs into runs from sources.
      const stale = distFresh() ? "" : " (dist/ went stale during these runs: the compiled figures may be from sources)";
      const sources = repeated(times, exoRun({ ...exoEnv, EXO_FROM_SOURCES: "1" }));
      const bench = exoBench(compiled.stdout);
      if (!isDeepStrictEqual(exoBench(sources.stdout), bench)) throw new Error(`N=${n}, ${layout}: exo's compiled and source paths disagree`);
      const common = `Exo CPU ${fmtMs(compiled.cpuMs)}; median of ${times}; first run with an empty TypeScript cache ${fmtMs(cold.ms)}; from sources (EXO_FROM_SOURCES=1) ${fmtMs(sources.ms)} (CPU ${fmtMs(sources.cpuMs)}), ${fmtMem(sources.kib)}`;
      let note: string;
      if (nix) {
        const nixRun = repeated(times, () => measured("nix-instantiate", ["--readonly-mode", "--eval", "--strict", "--json", w.nix], dir, nixEnv));
        const nixBench = JSON.parse(nixRun.stdout) as unknown;
        const differ = difference(bench, nixBench);
        if (differ !== undefined) throw new Error(`N=${n}, ${layout}: Exo's and Nix's configs differ, so the workloads are not the same: ${differ}`);
        const tr = compiled.ms / nixRun.ms;
        const mr = compiled.kib / nixRun.kib;
        note = `Nix ${fmtMs(nixRun.ms)} (CPU ${fmtMs(nixRun.cpuMs)}), ${fmtMem(nixRun.kib)} (nix-instantiate --eval --strict, nixpkgs lib.evalModules); time ${tr.toFixed(2)}× Nix (CPU ${(compiled.cpuMs / nixRun.cpuMs).toFixed(2)}×), memory ${mr.toFixed(2)}× Nix; target ≤ 1.0× Nix in both${tr <= 1 && mr <= 1 ? " (met)" : " (missed)"}; configs agree; ${common}`;
      } else {
        note = `Nix not installed (apt-get install nix-bin); ${common}`;
      }
      rows.push({ name: `eval ${n.toLocaleString("en-US")} modules, ${layout}`, value: `${fmtMs(compiled.ms)}, ${fmtMem(compiled.kib)}`, note: `${note}${stale}` });
    }
  }
  return rows;
}
