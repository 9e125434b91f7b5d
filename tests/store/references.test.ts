// What a path references does not depend on build order: two profiles that
// share most of their objects, built in both orders into two stores, give
// the same closures, and neither lists the other's sources or initrd.
import test from "ava";
import { join } from "node:path";
import { exo, fixture, profile, tempProject } from "../helpers/exo.ts";

interface PathInfo {
  paths: { path: string; references: string[] }[];
}

async function closureOf(dir: string, store: string, link: string): Promise<PathInfo["paths"]> {
  const r = await exo(["store", "path-info", link, "--closure", "--json", "--store", store], { cwd: dir });
  if (r.code !== 0) throw new Error(r.stderr);
  return (JSON.parse(r.stdout) as PathInfo).paths;
}

test("two profiles built in both orders have the same closures, each only its own", async (t) => {
  const dir = await tempProject();
  const profiles = { server: profile("server.ts"), rings: fixture("ring-1024.ts") };
  const orders = { first: ["server", "rings"], second: ["rings", "server"] } as const;
  const closures: Record<string, { server: PathInfo["paths"]; rings: PathInfo["paths"] }> = {};
  for (const [order, names] of Object.entries(orders)) {
    const store = join(dir, `store-${order}`);
    for (const name of names) {
      const r = await exo(["build", profiles[name], "--store", store, "--out-link", `${order}-${name}`], { cwd: dir });
      t.is(r.code, 0, r.stderr);
    }
    closures[order] = { server: await closureOf(dir, store, `${order}-server`), rings: await closureOf(dir, store, `${order}-rings`) };
  }
  t.deepEqual(closures.first!.server, closures.second!.server, "the server profile's closure depends on what was built before it");
  t.deepEqual(closures.first!.rings, closures.second!.rings, "the rings profile's closure depends on what was built before it");
  // Each closure holds one initrd and one kernel: its own.
  for (const paths of [closures.first!.server, closures.first!.rings]) {
    t.is(paths.filter((p) => /-initrd-/.test(p.path)).length, 1);
    t.is(paths.filter((p) => /-kernel-server$/.test(p.path)).length, 1);
    // Objects take their sources by content; the payload keeps the system's own source tree in the closure.
    t.is(paths.filter((p) => /-kernel-sources$/.test(p.path)).length, 1);
    t.false(paths.filter((p) => p.path.endsWith(".o")).some((p) => p.references.some((r) => r.endsWith("-kernel-sources"))));
  }
  // The profiles share objects: the second build reused them, yet the closures differ where the profiles do.
  const objects = (paths: PathInfo["paths"]) => new Set(paths.filter((p) => p.path.endsWith(".o")).map((p) => p.path));
  const shared = [...objects(closures.first!.server)].filter((o) => objects(closures.first!.rings).has(o));
  t.true(shared.length > 10, `only ${shared.length} objects shared`);
  t.notDeepEqual(closures.first!.server.map((p) => p.path), closures.first!.rings.map((p) => p.path));
});
