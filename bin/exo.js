#!/usr/bin/env node
// The exo command: registers tsx so the TypeScript sources (and profiles)
// load directly, then hands over to the CLI. A build that is known to be a
// no-op is answered from the no-op cache before tsx or the rest of exo loads.
import { register } from "node:module";
import { MessageChannel } from "node:worker_threads";
import { freshRecord, linkInPlace, report } from "./noop-record.mjs";

const argv = process.argv.slice(2);
// A repeated build with nothing changed is answered from its record; when
// nothing needs writing either, here, before tsx starts (most of a no-op's time).
const record = await freshRecord(argv);
if (record !== undefined && (await linkInPlace(record))) {
  report(record);
  process.exitCode = 0;
} else {
  await run();
}

async function run() {
  const { register: registerTsx } = await import("tsx/esm/api");
  registerTsx();
  // Every file loaded from here on is an input of whatever this run builds.
  const loaded = new Set();
  const { port1, port2 } = new MessageChannel();
  port1.on("message", (url) => loaded.add(url));
  port1.unref();
  register("./record-loads.mjs", import.meta.url, { data: { port: port2 }, transferList: [port2] });
  globalThis.exoLoadedFiles = loaded;

  // `exo options | head` closes stdout early: that is not an error.
  process.stdout.on("error", (e) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
  // A fresh record whose link must be made again: the TypeScript side does that.
  if (record !== undefined) {
    process.exitCode = await (await import("../generator/cli/noop-cache.ts")).answerNoop(record);
  } else {
    const { main } = await import("../generator/cli/main.ts");
    process.exitCode = await main(argv);
  }
}
