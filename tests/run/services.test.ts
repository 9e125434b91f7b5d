// exo run reads init's report from the console: the kernel exits with 0
// whatever init's status, so these lines decide whether a run failed.
import test from "ava";
import { initWarning, readServiceReport, servicesFailure } from "../../generator/run/services.ts";

const healthy = `exo: boot complete
init: pid 1, 2 services in /etc/exo/services
init: started echo-server (pid 2, policy echo-server@0.1.0)
init: started hello (pid 3, policy hello@0.1.0)
hello: hello from an ELF in the initrd, pid 3
init: hello exited with status 0
exo: proc 2 (exo/bin/echo-server) killed by its parent
init: echo-server stopped with status 137
init: 2 services, 0 failed
exo: init exited with status 0
`;

test("a run whose services all succeeded has no failure", (t) => {
  const report = readServiceReport(healthy);
  t.deepEqual(report, { total: 2, failed: 0, failures: [], init: { status: 0, killed: false } });
  t.is(servicesFailure(report), undefined);
});

test("a daemon that exited early is named with its reason, and so is a line init refused", (t) => {
  const output = `init: /etc/exo/services line 3: the path is not absolute; ring-bench not started\r
init: pid 1, 3 services in /etc/exo/services\r
init: crashd (daemon) exited early with status 3\r
init: restarting crashd (1 of 3, restart on-failure)\r
init: crashd (daemon) exited early with status 3\r
init: crashd: all 1 restarts used\r
init: crashd failed: daemon exited early with status 3 after 1 restart\r
init: 3 services, 2 failed\r
exo: init exited with status 2\r
`;
  const report = readServiceReport(output);
  t.deepEqual(report.failures, [
    { service: "/etc/exo/services line 3", reason: "the path is not absolute; ring-bench not started" },
    { service: "crashd", reason: "daemon exited early with status 3 after 1 restart" },
  ]);
  t.is(
    servicesFailure(report),
    "2 of 3 services failed: /etc/exo/services line 3 (the path is not absolute; ring-bench not started); crashd (daemon exited early with status 3 after 1 restart)",
  );
});

test("failures init counted without naming them are still a failure", (t) => {
  const failure = servicesFailure(readServiceReport("init: hello exited with status 1\ninit: 1 service, 1 failed\nexo: init exited with status 1\n"));
  t.is(failure, "1 of 1 services failed: init named none; and 1 more");
});

test("init killed fails the run; init that ends before running any service is a warning, not a failure", (t) => {
  const killed = readServiceReport("init: pid 1, 1 service in /etc/exo/services\nexo: init was killed with status -1\n");
  t.is(servicesFailure(killed), "init was killed (status -1) before its services were done");
  t.is(initWarning(killed), undefined);
  const early = readServiceReport("init: cannot open /etc/exo/services: error 38\nexo: init exited with status 1\n");
  t.is(servicesFailure(early), undefined);
  t.is(initWarning(early), "init exited with status 1 before reporting its services; its last lines on the console say why");
  t.is(initWarning(readServiceReport(healthy)), undefined);
});

test("a kernel without init (self-tests, benchmarks) reports nothing about services", (t) => {
  const report = readServiceReport("exo: boot complete\nEXO-TEST ring ok\n");
  t.deepEqual(report, { total: undefined, failed: undefined, failures: [], init: undefined });
  t.is(servicesFailure(report), undefined);
});
