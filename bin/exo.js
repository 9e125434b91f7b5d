#!/usr/bin/env node
// The exo command: registers tsx so the TypeScript sources (and profiles)
// load directly, then hands over to the CLI.
import { register } from "tsx/esm/api";

register();
// `exo options | head` closes stdout early: that is not an error.
process.stdout.on("error", (e) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});
const { main } = await import("../generator/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
