// Versioned JSON outputs. Every --json document carries `schema`, one of
// these names; docs/json.md describes each. Bump the version on any change
// that could break a reader.
export const JSON_SCHEMAS = {
  eval: "exo.eval/v1",
  buildEvent: "exo.build-event/v2",
  verify: "exo.verify/v1",
  plan: "exo.plan/v1",
  options: "exo.options/v1",
  explain: "exo.explain/v1",
  storeVerify: "exo.store-verify/v1",
  pathInfo: "exo.path-info/v1",
  gc: "exo.gc/v1",
  generations: "exo.generations/v1",
  diff: "exo.diff/v1",
  /** exo search and exo show. */
  packages: "exo.packages/v1",
  /** exo copy --to / --from: store paths moved to or from an OCI binary cache. */
  copy: "exo.copy/v1",
  /** exo push: an image sent to an OCI registry. */
  push: "exo.push/v1",
  /** exo pull: an image fetched from an OCI registry, verified and added to the store. */
  pull: "exo.pull/v1",
  /** Any command's failure under --json (generator/cli/report-error.ts). */
  error: "exo.error/v1",
} as const;

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** One line per event, for streams (build events). */
export function printJsonLine(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
