// exo build PROFILE: evaluate, plan and realise into the store; print the
// image's store path and leave a `result` link, as nix-build does.
import { resolve } from "node:path";
import { buildProfile, planProfile } from "../../build.ts";
import { ExoError } from "../../errors.ts";
import { displayPath } from "../../eval/paths.ts";
import { setEvalTimeout } from "../../eval/watchdog.ts";
import { loadProject } from "../../project/config.ts";
import type { BuildEvent } from "../../../store/realise.ts";
import { defineCommand, parseCount } from "../command.ts";
import { EVAL_TIMEOUT_FLAG } from "../flags.ts";
import { JSON_SCHEMAS, printJson, printJsonLine } from "../json.ts";
import { progressReporter } from "../progress.ts";
import { setLink } from "../link.ts";
import { rememberNoop } from "../noop-cache.ts";
import { addIndirectRoot } from "../../../store/roots.ts";
import { Store } from "../../../store/store.ts";

export default defineCommand({
  name: "build",
  summary: "Build a profile's signed image into the store and link it as ./result.",
  positionals: [{ name: "PROFILE", description: "the profile to build: a .ts, .mts, .yaml or .yml file" }],
  flags: {
    store: { type: "string", value: "DIR", description: "the store to build into (default: exo.config.ts `store`, or $EXO_STORE)" },
    "out-link": { type: "string", value: "NAME", description: "name of the link to the result (default: result)" },
    "no-link": { type: "boolean", description: "do not create a result link" },
    jobs: { type: "string", value: "N", description: "derivations built at once (default: the number of cores)" },
    check: { type: "boolean", description: "build every derivation again and compare with the store; name the first file that differs" },
    "no-sign": { type: "boolean", description: "leave the image unsigned; sign it later, elsewhere, with `exo sign`" },
    version: { type: "string", value: "N", description: "the image's version in its signed manifest (default 0); verifiers refuse a version below one they have seen" },
    "no-substitute": { type: "boolean", description: "build what the store lacks without asking exo.config.ts substituters" },
    "dry-run": { type: "boolean", description: "evaluate and plan only: list the derivations the build would realise (with --json, the build graph, schema exo.plan/v1)" },
    json: { type: "boolean", description: "one JSON event per line on stdout (schema exo.build-event/v2)" },
    ...EVAL_TIMEOUT_FLAG,
  },
  async run({ values, positionals }) {
    setEvalTimeout(values["eval-timeout"]);
    const [profile] = positionals;
    const jobs = parseCount(values.jobs, "--jobs");
    const version = parseVersion(values.version);
    const project = await loadProject(process.cwd(), values.store ? { store: values.store } : {});
    const json = values.json === true;
    if (values["dry-run"]) {
      const { graph } = await planProfile(profile!, project, { noSign: values["no-sign"] === true, ...(version !== undefined ? { version } : {}) });
      if (json) printJson(graph);
      else for (const d of graph.derivations) process.stdout.write(`${d.id}\t${d.name}\t${d.builder}\n`);
      return 0;
    }
    const progress = progressReporter(process.stderr);
    const onEvent = (event: BuildEvent) => (json ? printJsonLine({ schema: JSON_SCHEMAS.buildEvent, ...event }) : progress.onEvent(event));
    let result;
    try {
      result = await buildProfile(profile!, project, { ...(jobs ? { jobs } : {}), onEvent, check: values.check === true, substitute: values["no-substitute"] !== true, noSign: values["no-sign"] === true, ...(version !== undefined ? { version } : {}) });
    } finally {
      progress.finish();
    }
    const { built, reused, substituted } = result.realisation;
    for (const warning of result.evaluation.warnings) process.stderr.write(`warning: ${warning}\n`);
    const link = values["no-link"] ? null : resolve(values["out-link"] ?? "result");
    if (link) {
      await setLink(link, result.outPath);
      if (!(await addIndirectRoot(new Store(project.store), link))) process.stderr.write(`warning: the store ${displayPath(project.store)} is read-only: ${displayPath(link)} is not registered as a GC root\n`);
    }
    await rememberNoop(process.argv.slice(2), { path: result.outPath, storeRoot: project.store, link, derivations: result.graph.derivations.length, files: result.inputFiles, absent: result.absentFiles });
    if (json) {
      printJsonLine({ schema: JSON_SCHEMAS.buildEvent, type: "result", path: displayPath(result.outPath), configHash: result.evaluation.hash, built, reused, substituted });
    } else {
      const summary = values.check
        ? `checked: ${reused + substituted} derivations built again with identical bytes${substituted ? ` (${substituted} of them substituted first)` : ""}`
        : built === 0 && substituted === 0
          ? `nothing to build: all ${reused} derivations reused from the store`
          : `built ${built} derivations, reused ${reused}${substituted ? `, substituted ${substituted}` : ""}`;
      process.stderr.write(`${summary}\n`);
      process.stdout.write(`${displayPath(result.outPath)}\n`);
    }
    return 0;
  },
});

function parseVersion(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new ExoError("ERR_EXO_USAGE", `option --version expects a whole number from 0, got '${text}'`);
  return n;
}
