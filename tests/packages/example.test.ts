// The worked example of README.md's "Writing a package" (examples/greeter),
// built and booted: a service linking a library, two versions of it side by
// side, and a sandbox the profile tightened, which the kernel enforces.
import test from "ava";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { unpackTar } from "../../generator/image/tar.ts";
import { exo, REPO, tempProject } from "../helpers/exo.ts";

const PROFILE = join(REPO, "examples/greeter/profile.ts");

test("the README's example builds and boots: greeter links libgreet, 1.0.0 beside 2.0.0, the tightened one denied", async (t) => {
  const dir = await tempProject({ sharedStore: true });
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const build = await exo(["build", PROFILE, "--out-link", "result"], { cwd: dir });
  t.is(build.code, 0, build.stderr);
  t.notRegex(build.stderr, /warning/, "tightening a sandbox is no warning");

  // The closure holds both versions' store paths and the library's.
  const closure = await exo(["store", "path-info", "--closure", "result"], { cwd: dir });
  t.is(closure.code, 0, closure.stderr);
  for (const name of ["greeter-2.0.0", "greeter-1.0.0", "libgreet-1.0.0"]) t.regex(closure.stdout, new RegExp(`-${name.replace(/\./g, "\\.")}\\n`), name);

  // The initrd: each version under /exo/apps, /exo/bin/greeter a link to the installed 2.0.0.
  const initrdPath = closure.stdout.split("\n").find((l) => /-initrd-greeter$/.test(l))!;
  const initrd = await unpackTar(await readFile(join(dir, "store/v1/paths", initrdPath, "initrd.tar")));
  const names = initrd.entries.map((e) => e.name);
  t.true(names.includes("exo/apps/greeter/1.0.0/bin/greeter") && names.includes("exo/apps/greeter/2.0.0/bin/greeter"), names.join(" "));
  t.deepEqual(initrd.symlinks.find((l) => l.name === "exo/bin/greeter"), { name: "exo/bin/greeter", linkTarget: "../apps/greeter/2.0.0/bin/greeter" });
  const services = initrd.entries.find((e) => e.name === "etc/exo/services")!.data.toString();
  t.regex(services, /^greeter greeter@2\.0\.0 task on-failure \/exo\/bin\/greeter$/m);
  t.regex(services, /^greeter@1\.0\.0 greeter@1\.0\.0 task on-failure \/exo\/apps\/greeter\/1\.0\.0\/bin\/greeter$/m);

  // The SBOM: both versions, each linking libgreet 1.0.0.
  const sbom = JSON.parse(await readFile(join(dir, "result/sbom.spdx.json"), "utf8")) as { packages: { name: string; versionInfo: string; SPDXID: string }[]; relationships: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }[] };
  const greeters = sbom.packages.filter((p) => p.name === "greeter").map((p) => p.versionInfo).sort();
  t.deepEqual(greeters, ["1.0.0", "2.0.0"]);
  const libgreet = sbom.packages.find((p) => p.name === "libgreet")!.SPDXID;
  t.is(sbom.relationships.filter((r) => r.relationshipType === "STATIC_LINK" && r.relatedSpdxElement === libgreet).length, 2);

  const run = await exo(["run", "result"], { cwd: dir });
  t.is(run.code, 0, run.stdout + run.stderr);
  t.regex(run.stdout, /^greeter 2\.0\.0: hello, world, from libgreet 1\.0\.0$/m);
  t.regex(run.stdout, /^greeter 2\.0\.0: \/etc\/exo\/packages\.json is \d+ bytes$/m, "2.0.0's manifest lets it read /etc/exo");
  t.regex(run.stdout, /^greeter 1\.0\.0: hello, world, from libgreet 1\.0\.0$/m);
  // The profile took fs.read from 1.0.0: the kernel refuses the open, and says so once.
  t.regex(run.stdout, /^greeter 1\.0\.0: cannot read \/etc\/exo\/packages\.json: error 1$/m);
  t.is(run.stdout.match(/^sandbox: greeter@1\.0\.0 \(pid \d+\) denied fs\.read: open \/etc\/exo\/packages\.json$/gm)?.length, 1, run.stdout);
  t.regex(run.stdout, /^init: 2 services, 0 failed$/m);
});
