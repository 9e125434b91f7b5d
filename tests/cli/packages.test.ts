// exo search and exo show: the package set as a user browses it.
import test from "ava";
import { exo } from "../helpers/exo.ts";

test("exo search lists every package, or those whose name or description holds a word", async (t) => {
  const all = await exo(["search"]);
  t.is(all.code, 0, all.stderr);
  t.deepEqual(all.stdout.trim().split("\n").map((l) => l.split(/\s+/)[0]), ["busybox", "echo-server", "hello", "init", "ring-bench"]);
  const ring = await exo(["search", "RING"]);
  t.deepEqual(ring.stdout.trim().split("\n").map((l) => l.split(/\s+/)[0]), ["echo-server", "ring-bench"], "echo-server's description mentions the ring; case does not count");
  t.regex(ring.stdout, /^ring-bench 0\.1\.0 {3}Measures ring round trips/m);
  const none = await exo(["search", "helo"]);
  t.is(none.code, 1);
  t.regex(none.stderr, /^error\[ERR_EXO_PACKAGE_NOT_FOUND\]: no package of the set matches 'helo'\nhint: did you mean `hello`\?$/m);
});

test("exo show describes one package: dependencies, sandbox, services", async (t) => {
  const r = await exo(["show", "ring-bench"]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^ring-bench 0\.1\.0: Measures ring round trips/);
  t.regex(r.stdout, /^ {2}runtime dependencies: echo-server \^0\.1$/m);
  t.regex(r.stdout, /^ {2}sandbox: capabilities console, ipc; memory 4 pages; network no; ipc with echo-server$/m);
  t.regex(r.stdout, /^ {2}services: ring-bench \(task, restart no\)$/m);
  const daemon = JSON.parse((await exo(["show", "echo-server", "--json"])).stdout) as { packages: { name: string; daemon: boolean; manifest: { services: { daemon: boolean }[] } }[] };
  t.is(daemon.packages.length, 1);
  t.true(daemon.packages[0]!.daemon);
  t.true(daemon.packages[0]!.manifest.services[0]!.daemon);
  const typo = await exo(["show", "echo-sever"]);
  t.is(typo.code, 1);
  t.regex(typo.stderr, /hint: did you mean `echo-server`\?/);
});
