// exo build PROFILE: evaluate, plan and realise into the store; print the
// image's store path and leave a `result` link, as nix-build does.
import { resolve } from "node:path";
import { buildProfile } from "../../build.ts";
import { ExoError } from "../../errors.ts";
import { displayPath } from "../../eval/paths.ts";
import { EVAL_TIMEOUT_HELP } from "../../eval/limits.ts";
import { setEvalTimeout } from "../../eval/watchdog.ts";
import { loadProject } from "../../project/config.ts";
import type { BuildEvent } from "../../../store/realise.ts";
import { defineCommand, expectPositionals, parseCount } from "../command.ts";
import { JSON_SCHEMAS, printJsonLine } from "../json.ts";
import { progressReporter } from "../progress.ts";
import { setLink } from "../link.ts";
import { rememberNoop } from "../noop-cache.ts";
import { addIndirectRoot } from "../../../store/roots.ts";
import { Store } from "../../../store/store.ts";

const usage = "build PROFILE [--store DIR] [--out-link NAME | --no-link] [--jobs N] [--check] [--no-sign] [--version N] [--json] [--eval-timeout SECONDS]";

export default defineCommand({
  name: "build",
  summary: "Build a profile's signed image into the store and link it as ./result.",
  usage,
  help: [
    "--store DIR         the store to build into (default: exo.config.ts `store`, or $EXO_STORE)",
    "--out-link NAME     name of the link to the result (default: result)",
    "--no-link           do not create a result link",
    "--jobs N            derivations built at once (default: the number of cores)",
    "--check             build every derivation again and compare with the store; name the first file that differs",
    "--no-sign           leave the image unsigned; sign it later, elsewhere, with `exo sign`",
    "--version N         the image's version in its signed manifest (default 0); verifiers refuse a version below one they have seen",
    "--json              one JSON event per line on stdout (schema exo.build-event/v1)",
    EVAL_TIMEOUT_HELP,
  ],
  options: {
    store: { type: "string" },
    "out-link": { type: "string" },
    "no-link": { type: "boolean" },
    jobs: { type: "string" },
    check: { type: "boolean" },
    "no-sign": { type: "boolean" },
    version: { type: "string" },
    json: { type: "boolean" },
    "eval-timeout": { type: "string" },
  },
  async run({ values, positionals }) {
    setEvalTimeout(values["eval-timeout"]);
    const [profile] = expectPositionals(positionals, ["PROFILE"], usage);
    const jobs = parseCount(values.jobs, "--jobs");
    const version = parseVersion(values.version);
    const project = await loadProject(process.cwd(), values.store ? { store: values.store } : {});
    const json = values.json === true;
    const progress = progressReporter(process.stderr);
    const onEvent = (event: BuildEvent) => (json ? printJsonLine({ schema: JSON_SCHEMAS.buildEvent, ...event }) : progress.onEvent(event));
    let result;
    try {
      result = await buildProfile(profile!, project, { ...(jobs ? { jobs } : {}), onEvent, check: values.check === true, noSign: values["no-sign"] === true, ...(version !== undefined ? { version } : {}) });
    } finally {
      progress.finish();
    }
    const { built, reused } = result.realisation;
    for (const warning of result.evaluation.warnings) process.stderr.write(`warning: ${warning}\n`);
    const link = values["no-link"] ? null : resolve(values["out-link"] ?? "result");
    if (link) {
      await setLink(link, result.outPath);
      if (!(await addIndirectRoot(new Store(project.store), link))) process.stderr.write(`warning: the store ${displayPath(project.store)} is read-only: ${displayPath(link)} is not registered as a GC root\n`);
    }
    await rememberNoop(process.argv.slice(2), { path: result.outPath, storeRoot: project.store, link, derivations: result.graph.derivations.length, files: result.inputFiles });
    if (json) {
      printJsonLine({ schema: JSON_SCHEMAS.buildEvent, type: "result", path: displayPath(result.outPath), configHash: result.evaluation.hash, built, reused });
    } else {
      const summary = values.check
        ? `checked: ${reused} derivations built again with identical bytes`
        : built === 0
          ? `nothing to build: all ${reused} derivations reused from the store`
          : `built ${built} derivations, reused ${reused}`;
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
