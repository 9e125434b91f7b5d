// The whole flow for one profile: evaluate, plan, realise. Returns data;
// printing is the CLI's job.
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { BuildGraph } from "../store/derivation.ts";
import { type BuildEvent, realise, type Realisation } from "../store/realise.ts";
import { Store } from "../store/store.ts";
import { makeBuilders } from "./builders/index.ts";
import { evaluateProfile, type Evaluation } from "./eval/index.ts";
import type { Module } from "./eval/module.ts";
import { planBuild } from "./plan/plan.ts";
import type { Project } from "./project/config.ts";
import { openSecretKey } from "./sign/keys.ts";
import { findTool } from "./toolchain.ts";

export interface BuildResult {
  readonly evaluation: Evaluation;
  readonly graph: BuildGraph;
  readonly realisation: Realisation;
  /** Absolute path of the image's store path. */
  readonly outPath: string;
}

export interface BuildOptions {
  readonly jobs?: number;
  readonly onEvent?: (event: BuildEvent) => void;
  /** Modules evaluated together with the profile, e.g. from command-line flags. */
  readonly extraModules?: readonly Module[];
  /** Build everything again and compare with the store. */
  readonly check?: boolean;
}

export async function buildProfile(profile: string, project: Project, opts: BuildOptions = {}): Promise<BuildResult> {
  const evaluation = await evaluateProfile(profile, opts.extraModules);
  const key = await openSecretKey(project.secretKey);
  const graph = planBuild(evaluation, { keyId: key.keyId });
  const store = new Store(project.store);
  await store.init();
  const toolCache = join(store.dir("cache"), "tools.json");
  const [clang, lld] = await Promise.all([findTool(project.clang, toolCache), findTool(project.lld, toolCache)]);
  const realisation = await realise(graph, {
    store,
    builders: await makeBuilders({ clang, lld, key }),
    jobs: opts.jobs ?? availableParallelism(),
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    check: opts.check === true,
  });
  const outPath = store.pathOf(realisation.paths.get(graph.output)!);
  return { evaluation, graph, realisation, outPath };
}

export function bundleOf(outPath: string): string {
  return join(outPath, "bundle.tar");
}
