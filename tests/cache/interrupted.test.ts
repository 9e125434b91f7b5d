// A registry that dies in the middle of a push leaves nothing half-visible:
// every tag it shows afterwards names blobs it holds, no key names a path
// that is not whole, and pushing again completes the cache.
import test from "ava";
import { mkdir, writeFile } from "node:fs/promises";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { sha256Hex } from "../../store/hash.ts";
import { Store } from "../../store/store.ts";
import { exo, tempProject } from "../helpers/exo.ts";
import { startRegistry } from "../helpers/registry.ts";

/** Five paths in a chain (each references the one before), 200 KiB each, each the output of a derivation key. */
async function chainStore(project: string): Promise<string[]> {
  const store = new Store(join(project, "store"));
  await store.init();
  const names: string[] = [];
  for (let i = 0; i < 5; i++) {
    const dir = await store.scratch();
    await mkdir(join(dir, "out", "data"), { recursive: true });
    await writeFile(join(dir, "out", "data", `part-${i}`), Buffer.alloc(200 << 10, i + 1));
    const key = sha256Hex(`derivation ${i}`);
    names.push(await store.add(key, `part${i}`, join(dir, "out"), names.slice(-1)));
  }
  return names;
}

/** A TCP relay to the registry that kills it (SIGKILL) when the client starts its `killAt`-th PUT. */
function killingProxy(target: number, killAt: number, kill: () => void): Promise<{ port: number; server: Server; puts: () => number }> {
  let puts = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: "127.0.0.1", port: target });
    sockets.add(client).add(upstream);
    client.on("data", (chunk: Buffer) => {
      puts += chunk.toString("latin1").split("PUT /v2/").length - 1;
      if (puts >= killAt) {
        kill();
        for (const s of sockets) s.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => client.write(chunk));
    for (const s of [client, upstream]) s.on("error", () => undefined).on("close", () => (client.destroy(), upstream.destroy()));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ port: (server.address() as { port: number }).port, server, puts: () => puts })));
}

test("a push cut by the registry's death shows nothing half-there, and a retry completes it", async (t) => {
  const registry = await startRegistry();
  t.teardown(() => registry.stop());
  const project = await tempProject();
  const names = await chainStore(project);
  const registryPort = Number(registry.host.split(":")[1]);
  // Each path is archive, record and signature blobs (two PUTs each: POST then PUT) and a manifest: die within the third path.
  const proxy = await killingProxy(registryPort, 9, () => registry.kill());
  t.teardown(() => proxy.server.close());
  const viaProxy = `oci://127.0.0.1:${proxy.port}/exo/cache`;
  const cut = await exo(["copy", "--to", viaProxy, join(project, "store/v1/paths", names[4]!)], { cwd: project });
  t.is(cut.code, 1, cut.stdout);
  t.regex(cut.stderr, /error\[ERR_EXO_REGISTRY\]/);
  t.notRegex(cut.stderr, /\n\s+at /);
  t.true(proxy.puts() >= 9);

  await registry.restart();
  // Whatever the registry shows is whole: every tag's manifest names blobs it has.
  const base = `http://${registry.host}/v2/exo/cache`;
  const tags = ((await (await fetch(`${base}/tags/list`)).json()) as { tags: string[] | null }).tags ?? [];
  t.false(tags.some((tag) => tag.startsWith("drv-")), `no derivation key before its closure is complete: ${tags.join(" ")}`);
  for (const tag of tags) {
    const manifest = (await (await fetch(`${base}/manifests/${tag}`, { headers: { accept: "application/vnd.oci.image.manifest.v1+json" } })).json()) as { config: { digest: string }; layers: { digest: string }[] };
    for (const d of [manifest.config, ...manifest.layers]) t.is((await fetch(`${base}/blobs/${d.digest}`, { method: "HEAD" })).status, 200, `${tag} names ${d.digest}`);
  }
  const pushedBefore = tags.filter((tag) => tag.startsWith("path-")).length;
  t.true(pushedBefore < 5);

  const retry = await exo(["copy", "--to", registry.url("exo/cache"), join(project, "store/v1/paths", names[4]!), "--json"], { cwd: project });
  t.is(retry.code, 0, retry.stderr);
  const summary = JSON.parse(retry.stdout) as { paths: number; pathsSent: string[]; keysSent: number };
  t.is(summary.paths, 5);
  t.is(summary.pathsSent.length, 5 - pushedBefore);
  t.is(summary.keysSent, 5);

  // A fresh store takes the whole closure from the completed cache.
  const fresh = await tempProject();
  const fetched = await exo(["copy", "--from", registry.url("exo/cache"), names[4]!, "--trusted", join(project, "keys/test.pub")], { cwd: fresh });
  t.is(fetched.code, 0, fetched.stderr);
  const verify = await exo(["store", "verify", "--json"], { cwd: fresh });
  t.is((JSON.parse(verify.stdout) as { checked: number; ok: boolean }).checked, 5);
  t.true((JSON.parse(verify.stdout) as { ok: boolean }).ok);
});
