#!/usr/bin/env node
// npm run build (and scripts/setup.sh, with --if-stale): compile exo's runtime sources (tsconfig.build.json's
// folders) ahead of time with tsc into dist/, so that bin/exo.js starts
// without a TypeScript compiler. dist/manifest.json stamps every source as it
// was before tsc read it: bin/exo.js runs dist/ only while every stamp still
// holds, and from the sources (through tsx) otherwise, so an edit never runs
// stale code. The new tree replaces the old one in one rename.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { freshDist, MANIFEST_SCHEMA, stampSync } from "../bin/compiled.mjs";

if (process.argv.includes("--if-stale") && (await freshDist()) !== undefined) process.exit(0);

const root = fileURLToPath(new URL("..", import.meta.url));
const config = JSON.parse(readFileSync(join(root, "tsconfig.build.json"), "utf8"));
const dist = join(root, config.compilerOptions.outDir);

function sources(dir) {
  const found = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...sources(path));
    else if (entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) found.push(path);
  }
  return found;
}

// Stamped before tsc reads them: an edit made while it runs leaves a stamp that no longer holds.
const files = config.include.flatMap((dir) => sources(dir)).sort();
const inputs = ["package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json"];
const stamps = Object.fromEntries([...files, ...inputs].map((f) => [f, stampSync(join(root, f))]));

const staging = `${dist}.new-${process.pid}`;
rmSync(staging, { recursive: true, force: true });
try {
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.build.json"), "--outDir", staging], { stdio: "inherit" });
  const missing = files.filter((f) => !existsSync(join(staging, f.replace(/\.ts$/, ".js"))));
  if (missing.length) throw new Error(`tsc wrote no JavaScript for ${missing.join(", ")}`);
  const manifest = { schema: MANIFEST_SCHEMA, node: process.versions.node.split(".")[0], sources: files, stamps };
  // The one import of a file outside the compiled folders (generator/cli/noop-cache.ts → bin/) resolves through this link.
  symlinkSync("../bin", join(staging, "bin"));
  writeFileSync(join(staging, "manifest.json"), `${JSON.stringify(manifest, null, 1)}\n`);
  const old = `${dist}.old-${process.pid}`;
  if (existsSync(dist)) renameSync(dist, old);
  renameSync(staging, dist);
  rmSync(old, { recursive: true, force: true });
} catch (e) {
  rmSync(staging, { recursive: true, force: true });
  process.stderr.write(`error: the ahead-of-time build failed: ${e.message}\n`);
  process.exit(1);
}
process.stderr.write(`compiled ${files.length} files into ${relative(process.cwd(), dist) || "."}/\n`);
