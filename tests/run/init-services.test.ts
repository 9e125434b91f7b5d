// init's supervision, against a fake kernel (host-init.ts): the services
// file's format, restart policies with their budget, daemons that end
// before init stops them, and the report exo run reads.
import test from "ava";
import { runInit } from "./host-init.ts";

const line = (name: string, kind: "daemon" | "task", restart: string, path = `/exo/bin/${name}`): string => `${name} ${name}@0.1.0 ${kind} ${restart} ${path}`;
const file = (...lines: string[]): string => `# name policy daemon|task restart path\n${lines.join("\n")}\n`;

test("init starts each service at its path under its policy, waits for the tasks and stops the daemons", async (t) => {
  const r = await runInit(file(line("echo-server", "daemon", "no"), line("hello", "task", "on-failure", "/exo/apps/hello/0.1.0/bin/hello")), { script: { "/exo/apps/hello/0.1.0/bin/hello": [0] } });
  t.is(r.code, 0, r.stdout);
  t.deepEqual(r.spawned, ["/exo/bin/echo-server echo-server@0.1.0", "/exo/apps/hello/0.1.0/bin/hello hello@0.1.0"]);
  t.regex(r.stdout, /^init: pid 1, 2 services in \/etc\/exo\/services$/m);
  t.regex(r.stdout, /^init: hello exited with status 0$/m);
  t.regex(r.stdout, /^init: echo-server stopped with status 137$/m);
  t.regex(r.stdout, /init: 2 services, 0 failed\n$/);
  t.notRegex(r.stdout, /failed:|restarting/);
});

test("init refuses a malformed line, saying what is wrong, and counts it as failed", async (t) => {
  const lines = [
    "hello hello@0.1.0 task", // the old three-word form
    "hello hello@0.1.0 service no /exo/bin/hello",
    "hello hello@0.1.0 task sometimes /exo/bin/hello",
    "hello hello@0.1.0 task no exo/bin/hello",
    `hello hello@0.1.0 task no /${"p".repeat(127)}`,
    "hello hello@0.1.0 task no /exo/bin/hello extra",
    `hello ${"p".repeat(64)} task no /exo/bin/hello`,
    `${"n".repeat(32)} hello@0.1.0 task no /exo/bin/hello`,
    `hello ${"p".repeat(63)} daemon no /${"p".repeat(126)}`, // the longest policy and path fit
  ];
  const r = await runInit(file(...lines), { script: {} });
  t.is(r.code, 8, r.stdout);
  t.deepEqual(r.spawned, [`/${"p".repeat(126)} ${"p".repeat(63)}`]);
  for (const [n, why] of [
    [2, "expected `name policy daemon|task restart path`; hello not started"],
    [3, "the kind is neither daemon nor task; hello not started"],
    [4, "the restart policy is none of no, on-failure, always; hello not started"],
    [5, "the path is not absolute; hello not started"],
    [6, "the path is longer than 127 characters; hello not started"],
    [7, "it has words after the path; hello not started"],
    [8, "the policy name is longer than 63 characters; not started"],
    [9, "the service name is longer than 31 characters; not started"],
  ] as const) {
    t.true(r.stdout.includes(`init: /etc/exo/services line ${n}: ${why}\n`), `line ${n}:\n${r.stdout}`);
  }
  t.regex(r.stdout, /^init: 9 services, 8 failed$/m);
});

test("a daemon that exits before init stops it has failed, whatever its status", async (t) => {
  const r = await runInit(file(line("crashd", "daemon", "no")), { script: { "/exo/bin/crashd": [0] } });
  t.is(r.code, 1, r.stdout);
  t.regex(r.stdout, /^init: crashd \(daemon\) exited early with status 0$/m);
  t.regex(r.stdout, /^init: crashd failed: daemon exited early with status 0$/m);
  t.is(r.spawned.length, 1, "restart no: started once");
  t.regex(r.stdout, /^init: 1 service, 1 failed$/m);
});

test("a crash-looping daemon is restarted three times, then reported as failed", async (t) => {
  const r = await runInit(file(line("crashd", "daemon", "on-failure"), line("hello", "task", "no")), { script: { "/exo/bin/crashd": [3], "/exo/bin/hello": [0] } });
  t.is(r.code, 1, r.stdout);
  t.is(r.spawned.filter((s) => s.startsWith("/exo/bin/crashd ")).length, 4);
  t.is(r.stdout.match(/^init: crashd \(daemon\) exited early with status 3$/gm)?.length, 4, r.stdout);
  for (const n of [1, 2, 3]) t.regex(r.stdout, new RegExp(`^init: restarting crashd \\(${n} of 3, restart on-failure\\)$`, "m"));
  t.regex(r.stdout, /^init: crashd: all 3 restarts used$/m);
  t.regex(r.stdout, /^init: crashd failed: daemon exited early with status 3 after 3 restarts$/m);
  t.regex(r.stdout, /^init: 2 services, 1 failed$/m);
});

test("a daemon that stays up once restarted counts as running", async (t) => {
  const r = await runInit(file(line("flaky", "daemon", "always")), { script: { "/exo/bin/flaky": [3, "run"] } });
  t.is(r.code, 0, r.stdout);
  t.regex(r.stdout, /^init: flaky \(daemon\) exited early with status 3\ninit: restarting flaky \(1 of 3, restart always\)\ninit: started flaky \(pid 3, policy flaky@0\.1\.0\)$/m);
  t.regex(r.stdout, /^init: flaky stopped with status 137$/m);
  t.regex(r.stdout, /^init: 1 service, 0 failed$/m);
});

test("a daemon that died of a fault is a failure (status 139), whether or not kill answers ESRCH", async (t) => {
  for (const killEnded of ["esrch", 0] as const) {
    const r = await runInit(file(line("faulty", "daemon", "no")), { script: { "/exo/bin/faulty": ["fault"] }, killEnded });
    t.is(r.code, 1, r.stdout);
    t.regex(r.stdout, /^init: faulty failed: daemon exited early with status 139$/m);
  }
});

test("a task with restart on-failure runs again after a failure and succeeds", async (t) => {
  const r = await runInit(file(line("hello", "task", "on-failure")), { script: { "/exo/bin/hello": [1, 0] } });
  t.is(r.code, 0, r.stdout);
  t.regex(r.stdout, /^init: hello exited with status 1\ninit: restarting hello \(1 of 3, restart on-failure\)\n.*\ninit: hello exited with status 0$/m);
  t.is(r.spawned.length, 2, "a success ends on-failure's restarts");
});

test("a task that keeps failing fails after its restarts; one with restart no fails at once", async (t) => {
  const r = await runInit(file(line("bad", "task", "on-failure"), line("once", "task", "no")), { script: { "/exo/bin/bad": [2], "/exo/bin/once": [5] } });
  t.is(r.code, 2, r.stdout);
  t.regex(r.stdout, /^init: bad failed: exited with status 2 after 3 restarts$/m);
  t.regex(r.stdout, /^init: once failed: exited with status 5$/m);
  t.is(r.spawned.filter((s) => s.startsWith("/exo/bin/once ")).length, 1);
});

test("restart always runs a task until its restarts are used; the last run decides", async (t) => {
  const ok = await runInit(file(line("hello", "task", "always")), { script: { "/exo/bin/hello": [0] } });
  t.is(ok.code, 0, ok.stdout);
  t.is(ok.spawned.length, 4);
  const bad = await runInit(file(line("hello", "task", "always")), { script: { "/exo/bin/hello": [0, 0, 0, 1] } });
  t.is(bad.code, 1, bad.stdout);
  t.regex(bad.stdout, /^init: hello failed: exited with status 1 after 3 restarts$/m);
});

test("a service that cannot be started, at first or again, has failed", async (t) => {
  const r = await runInit(file(line("gone", "task", "no"), line("later", "daemon", "on-failure")), { script: { "/exo/bin/gone": ["enoent"], "/exo/bin/later": [1, "enoent"] } });
  t.is(r.code, 2, r.stdout);
  t.regex(r.stdout, /^init: cannot start gone \(\/exo\/bin\/gone\) under policy gone@0\.1\.0: error 2$/m);
  t.regex(r.stdout, /^init: gone failed: cannot start it: error 2$/m);
  t.regex(r.stdout, /^init: later failed: cannot start it again: error 2 after 1 restart$/m);
});

test("init refuses, and reports, services past the most it holds", async (t) => {
  const lines = Array.from({ length: 17 }, (_, i) => line(`hello${i}`, "task", "no"));
  const r = await runInit(file(...lines), { script: Object.fromEntries(lines.map((_, i) => [`/exo/bin/hello${i}`, [0]])) });
  t.is(r.code, 1, r.stdout);
  t.is(r.spawned.length, 16);
  t.regex(r.stdout, /^init: \/etc\/exo\/services line 18: more than 16 services; hello16 not started$/m);
  t.regex(r.stdout, /^init: 17 services, 1 failed$/m);
});
