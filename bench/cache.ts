// The binary cache (issue 17), as CI runners use it: Debian's
// docker-registry on loopback; runner 1 builds profiles/server.ts in a cold
// store and pushes it (`exo copy --to`); runner 2, the same project files and
// an empty store, builds the same profile and substitutes everything. Then one
// option changes, runner 1 rebuilds and pushes again: only the changed paths
// travel. Times are whole processes, median of 3 where repeated.
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRegistry } from "../tests/helpers/registry.ts";
import { median, REPO, type Row, timed as exo } from "./exo.ts";

const lastLine = (text: string): string => text.trim().split("\n").pop() ?? "";

export async function cacheRows(dir: string): Promise<Row[]> {
  const registry = await startRegistry();
  try {
    const cache = registry.url("exo/cache");
    const config = `export default { store: "store", keys: { secretKey: "keys/bench.key", trusted: ["keys/bench.pub"] }, substituters: [{ url: ${JSON.stringify(cache)}, trusted: ["keys/bench.pub"] }] };\n`;
    await writeFile(join(dir, "exo.config.ts"), config);
    const server = join(REPO, "profiles/server.ts");
    const changed = join(REPO, "bench/profiles/server-slots.ts");

    const runner = async (): Promise<string> => {
      const other = await mkdtemp(join(tmpdir(), "exo-bench-runner-"));
      await cp(join(dir, "keys"), join(other, "keys"), { recursive: true });
      for (const f of ["package.json", "exo.config.ts"]) await cp(join(dir, f), join(other, f));
      return other;
    };

    const colds: number[] = [];
    const seconds: number[] = [];
    let push = { ms: 0, stdout: "" };
    let second = { ms: 0, stderr: "" };
    for (let i = 0; i < 3; i++) {
      const first = await runner();
      colds.push(exo(["build", server, "--no-substitute"], first).ms);
      if (i === 0) push = exo(["copy", "--to", cache, "result", "--json"], first);
      const next = await runner();
      second = exo(["build", server], next);
      seconds.push(second.ms);
      await rm(first, { recursive: true, force: true });
      await rm(next, { recursive: true, force: true });
    }
    const pushed = JSON.parse(push.stdout) as { paths: number; pathsSent: string[]; bytesSent: number };
    const [cold, warm] = [median(colds), median(seconds)];

    const first = await runner();
    exo(["build", server], first);
    const change = exo(["build", changed, "--no-substitute", "--out-link", "result-slots"], first);
    const delta = JSON.parse(exo(["copy", "--to", cache, "result-slots", "--json"], first).stdout) as { paths: number; pathsSent: string[]; bytesSent: number };
    await rm(first, { recursive: true, force: true });
    return [
      { name: "cache: runner 1, cold build of server.ts", value: `${cold.toFixed(0)} ms`, note: "empty store, --no-substitute, median of 3" },
      { name: "cache: runner 1, exo copy --to (first push)", value: `${push.ms.toFixed(0)} ms`, note: `${pushed.pathsSent.length} of ${pushed.paths} paths, ${pushed.bytesSent} B, loopback docker-registry 2.8` },
      { name: "cache: runner 2, same profile, empty store", value: `${warm.toFixed(0)} ms`, note: `${(warm / cold * 100).toFixed(0)}% of the cold build (target < 10%); ${lastLine(second.stderr)}; median of 3` },
      { name: "cache: push after kernel.ipc.ringSlots 4096 → 2048", value: `${delta.bytesSent} B`, note: `${delta.pathsSent.length} of ${delta.paths} paths sent (${delta.pathsSent.map((p) => p.slice(33)).join(", ")}); rebuild: ${lastLine(change.stderr)}` },
    ];
  } finally {
    await registry.stop();
  }
}
