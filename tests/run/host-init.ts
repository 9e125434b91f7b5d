// init (pkgs/init/src/main.c) compiled for this machine against a fake
// kernel: a stand-in exo.h that reads the services file from $SERVICES and
// plays each spawned process from a script, so init's supervision (restarts,
// early exits, its report) is tested without booting, deterministically.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { FAULTED_STATUS, KILLED_STATUS } from "../../kernel-src/errno.ts";
import { renderUser } from "../../kernel-src/user/index.ts";
import { REPO } from "../helpers/exo.ts";

const run = promisify(execFile);

/**
 * What each start of a program does, in order; the last entry repeats.
 * A number: it exits on its own with that status. "run": it runs until init
 * kills it. "fault": it dies of a fault on its own (the kernel reports
 * STATUS_KILLED). "enoent": spawn fails with -ENOENT.
 */
export type Script = Readonly<Record<string, readonly (number | "run" | "fault" | "enoent")[]>>;

export interface FakeKernel {
  readonly script: Script;
  /** What kill answers for a child that already ended: 0 (it is still there to wait for) or -ESRCH. */
  readonly killEnded?: 0 | "esrch";
}

export interface InitRun {
  readonly code: number;
  /** What init printed (the fake kernel's lines left out). */
  readonly stdout: string;
  /** The fake kernel's SPAWN lines: `path policy`, in order. */
  readonly spawned: string[];
}

/** A limit of the generated exo.h, so that init is tested with the sizes it boots with. */
function headerNumber(name: string): number {
  const header = renderUser("x86_64").find((f) => f.path === "include/exo.h")!.text;
  const m = new RegExp(`^#define ${name} (\\d+)`, "m").exec(header);
  if (!m) throw new Error(`exo.h defines no ${name}`);
  return Number(m[1]);
}

function cString(s: string): string {
  return JSON.stringify(s);
}

function fakeHeader(kernel: FakeKernel): string {
  const entries = Object.entries(kernel.script).map(([path, steps]) => `    { ${cString(path)}, ${steps.length}, { ${steps.map((s) => cString(String(s))).join(", ")} } },`);
  return `#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
typedef unsigned char uint8;
typedef unsigned int uint32;
typedef unsigned long uint64;
typedef long int64;
#define EXO_NAME_MAX ${headerNumber("EXO_NAME_MAX")}
#define EXO_POLICY_MAX ${headerNumber("EXO_POLICY_MAX")}
#define STATUS_KILLED ${KILLED_STATUS}
#define STATUS_FAULTED ${FAULTED_STATUS}
struct exo_stat { uint64 size; uint64 mode; };
static const struct { const char *path; int steps; const char *step[8]; } script[] = {
${entries.join("\n")}
    { NULL, 0, { NULL } },
};
static struct { int ends, killed, waited; int64 status; } procs[64];
static int64 last_pid = 1;
static int starts[64];
static int64 fake_spawn(const char *path, const char *policy, uint64 arg) {
    (void)arg;
    printf("SPAWN %s %s\\n", path, policy);
    const char *step = "run";
    for (int i = 0; script[i].path != NULL; i++) {
        if (strcmp(script[i].path, path) == 0) {
            int n = starts[i]++;
            step = script[i].step[n < script[i].steps ? n : script[i].steps - 1];
        }
    }
    if (strcmp(step, "enoent") == 0)
        return -2;
    int64 pid = ++last_pid;
    procs[pid].ends = strcmp(step, "run") != 0;
    procs[pid].status = strcmp(step, "fault") == 0 ? STATUS_FAULTED : atol(step);
    return pid;
}
static int64 fake_kill(int64 pid) {
    if (procs[pid].ends)
        return ${kernel.killEnded === "esrch" ? "-3" : "0"};
    procs[pid].killed = 1;
    return 0;
}
static int64 fake_wait(int64 pid, int64 *status) {
    if (pid <= 1 || pid > last_pid || procs[pid].waited)
        return -10;
    if (!procs[pid].ends && !procs[pid].killed) {
        printf("DEADLOCK: init waits for pid %ld, which never ends\\n", pid);
        exit(99);
    }
    procs[pid].waited = 1;
    *status = procs[pid].ends ? procs[pid].status : STATUS_KILLED;
    return pid;
}
static int64 exo_open(const char *path, uint64 flags) { (void)path; (void)flags; return open(getenv("SERVICES"), O_RDONLY); }
static int64 exo_fstat(int64 fd, struct exo_stat *st) { st->size = (uint64)lseek((int)fd, 0, SEEK_END); lseek((int)fd, 0, SEEK_SET); return 0; }
#define stat exo_stat
#define open(path, flags) exo_open(path, flags)
#define fstat exo_fstat
#define spawn fake_spawn
#define kill fake_kill
#define wait fake_wait
#define getpid() 1L
#define yield() 0
`;
}

/** Compile init against the fake kernel, run it on this services file, and collect what it printed. */
export async function runInit(services: string, kernel: FakeKernel): Promise<InitRun> {
  const dir = await mkdtemp(join(tmpdir(), "exo-init-"));
  await writeFile(join(dir, "exo.h"), fakeHeader(kernel));
  await writeFile(join(dir, "init.c"), await readFile(join(REPO, "pkgs/init/src/main.c")));
  await writeFile(join(dir, "services"), services);
  await run("clang", ["-std=c11", "-Wall", "-Wextra", "-Wno-unused-function", "-Werror", "-I", dir, "-o", join(dir, "init"), join(dir, "init.c")]);
  const { code, stdout } = await run(join(dir, "init"), [], { env: { ...process.env, SERVICES: join(dir, "services") } }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (e: { code?: number; stdout?: string }) => ({ code: e.code ?? -1, stdout: e.stdout ?? "" }),
  );
  const lines = stdout.split("\n");
  const spawned = lines.filter((l) => l.startsWith("SPAWN ")).map((l) => l.slice("SPAWN ".length));
  return { code, stdout: lines.filter((l) => !l.startsWith("SPAWN ")).join("\n"), spawned };
}
