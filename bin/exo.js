#!/usr/bin/env node
// The exo command. A build known to be a no-op is answered from the no-op
// cache before anything else loads. Otherwise exo runs its compiled
// JavaScript (dist/, `npm run build`) when that matches the sources, with
// bin/hooks.mjs compiling profiles and user modules; else it runs the
// TypeScript sources themselves through tsx, as in development.
import { homedir } from "node:os";
import { join } from "node:path";
import { register } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { MessageChannel } from "node:worker_threads";
import { freshDist, DIST, ROOT } from "./compiled.mjs";
import { freshRecord, linkInPlace, report } from "./noop-record.mjs";

const argv = process.argv.slice(2);
// A repeated build with nothing changed is answered from its record; when
// nothing needs writing either, here, before any of exo loads (most of a no-op's time).
const record = await freshRecord(argv);
if (record !== undefined && (await linkInPlace(record))) {
  report(record);
  process.exitCode = 0;
} else {
  await run();
}

async function run() {
  const dist = await freshDist();
  // Every file loaded from here on is an input of whatever this run builds.
  const loaded = new Set();
  globalThis.exoLoadedFiles = loaded;
  const { port1, port2 } = new MessageChannel();
  port1.on("message", (url) => loaded.add(url));
  port1.unref();
  if (dist !== undefined) {
    // Stacks name the TypeScript lines (dist/ carries source maps), as they do from sources.
    process.setSourceMapsEnabled(true);
    // exo's own modules are inputs as their sources: all of them, loaded or not.
    for (const source of dist.sources) loaded.add(pathToFileURL(join(fileURLToPath(ROOT), source)).href);
    // The loader thread that compiles a user's TypeScript starts with the first such file (generator/user-code.ts).
    const cacheDir = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "exo", "typescript");
    globalThis.exoUserCode = () => {
      globalThis.exoUserCode = undefined;
      register("./hooks.mjs", import.meta.url, { data: { port: port2, root: ROOT.href, dist: DIST.href, sources: dist.sources, cacheDir }, transferList: [port2] });
    };
  } else {
    const { register: registerTsx } = await import("tsx/esm/api");
    registerTsx();
    register("./record-loads.mjs", import.meta.url, { data: { port: port2 }, transferList: [port2] });
  }

  // `exo options | head` closes stdout early: that is not an error.
  process.stdout.on("error", (e) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
  const cli = (file) => import(new URL(dist !== undefined ? `generator/cli/${file}.js` : `../generator/cli/${file}.ts`, dist !== undefined ? DIST : import.meta.url).href);
  // A fresh record whose link must be made again: the TypeScript side does that.
  if (record !== undefined) {
    process.exitCode = await (await cli("noop-cache")).answerNoop(record, argv);
  } else {
    process.exitCode = await (await cli("main")).main(argv);
  }
}
