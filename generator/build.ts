// The whole flow for one profile: evaluate, plan, realise. Returns data;
// printing is the CLI's job.
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import { EXO_ROOT, exoPath } from "./exo-root.ts";
import { createHash } from "node:crypto";
import type { BuildGraph } from "../store/derivation.ts";
import { type BuildEvent, realise, type Realisation } from "../store/realise.ts";
import { Store } from "../store/store.ts";
import { listTree } from "../store/tree.ts";
import { GRUB_DIRS } from "./builders/bootloader.ts";
import { openSubstituters } from "./cache/substituters.ts";
import { makeBuilders } from "./builders/index.ts";
import { KERNEL_SRC_DIR } from "./builders/kernel-sources.ts";
import type { SbomContext } from "./builders/payload.ts";
import { grubVersion, npmRuntime } from "./image/sbom.ts";
import { evaluateProfile, type Evaluation } from "./eval/index.ts";
import type { Module } from "./eval/module.ts";
import { type OlderPayload, planBuild } from "./plan/plan.ts";
import { packageInputPaths } from "./packages/files.ts";
import { packageKey } from "./packages/plan.ts";
import { forcedIn } from "./packages/forced.ts";
import { installedModuleOf } from "./packages/installed-module.ts";
import { SIGNATURE_SUFFIX } from "./packages/publication.ts";
import { type ResolvedPackage, systemPackages } from "./packages/resolve.ts";
import type { Project } from "./project/config.ts";
import { openSecretKey } from "./sign/keys.ts";
import { findTool, type Tool, ToolCache } from "./toolchain.ts";

export interface BuildResult {
  readonly evaluation: Evaluation;
  readonly graph: BuildGraph;
  readonly realisation: Realisation;
  /** Absolute path of the image's store path. */
  readonly outPath: string;
  readonly signed: boolean;
  /** Files the result depends on that Node does not load: profile files, tools, the signing key. */
  readonly inputFiles: readonly string[];
  /** Files whose absence the result depends on: the profile's machine-owned module, before `exo install` writes it. */
  readonly absentFiles: readonly string[];
  /** Every package the image is built from. */
  readonly packages: readonly ResolvedPackage[];
}

export interface BuildOptions {
  readonly jobs?: number;
  readonly onEvent?: (event: BuildEvent) => void;
  /** Modules evaluated together with the profile, e.g. from command-line flags. */
  readonly extraModules?: readonly Module[];
  /** Build everything again and compare with the store. */
  readonly check?: boolean;
  /** Leave the image unsigned, to be signed later with `exo sign`. */
  readonly noSign?: boolean;
  /** Older generations for the boot menu (`exo switch`), newest first. */
  readonly olderGenerations?: readonly OlderPayload[];
  /** The image's version in its signed manifest (`--version`, or the generation number). */
  readonly version?: number;
  /** Ask exo.config.ts substituters before building (default true; `--no-substitute` turns it off). */
  readonly substitute?: boolean;
}

/** Evaluate and plan, building nothing (`exo build --dry-run`); the key is opened only to name it in the plan. */
export async function planProfile(profile: string, project: Project, opts: BuildOptions = {}): Promise<{ evaluation: Evaluation; graph: BuildGraph; key: Awaited<ReturnType<typeof openSecretKey>> | undefined; packages: readonly ResolvedPackage[] }> {
  const evaluation = await evaluateProfile(profile, opts.extraModules);
  const key = opts.noSign ? undefined : await openSecretKey(project.secretKey);
  const { packages, installed, warnings } = await systemPackages(evaluation.config, { profileDir: dirname(resolve(profile)), trusted: project.trusted, forced: forcedIn(evaluation) });
  const graph = planBuild(evaluation, { keyId: key?.keyId ?? null, packages, installed, ...(opts.olderGenerations ? { olderGenerations: opts.olderGenerations } : {}), ...(opts.version !== undefined ? { version: opts.version } : {}) });
  // The package set's warnings (sandboxes widened without mkForce) are shown with the evaluation's.
  return { evaluation: warnings.length ? { ...evaluation, warnings: [...evaluation.warnings, ...warnings] } : evaluation, graph, key, packages };
}

export async function buildProfile(profile: string, project: Project, opts: BuildOptions = {}): Promise<BuildResult> {
  const { evaluation, graph, key, packages } = await planProfile(profile, project, opts);
  const store = new Store(project.store);
  await store.init();
  const cache = new ToolCache(join(store.dir("cache"), "tools.json"));
  const [clang, lld, ar, objcopy, grubMkimage, xorriso, mformat, mmd, mcopy] = await Promise.all([
    findTool(project.clang, { cache }),
    findTool(project.lld, { cache }),
    findTool("llvm-ar", { cache }),
    findTool("llvm-objcopy", { cache }),
    findTool("grub-mkimage", { cache, dataDirs: [GRUB_DIRS.bios, GRUB_DIRS.efi] }),
    findTool("xorriso", { cache }),
    findTool("mformat", { cache }),
    findTool("mmd", { cache }),
    findTool("mcopy", { cache }),
  ]);
  await cache.flush();
  const sbom = await sbomContext({ clang, "ld.lld": lld, "grub-mkimage": grubMkimage, xorriso, mtools: mformat });
  const substituters = opts.substitute === false ? undefined : await openSubstituters(project, store, { refused: (id, from, reason) => opts.onEvent?.({ type: "substitute-refused", id, from, reason }) });
  const realisation = await realise(graph, {
    store,
    builders: await makeBuilders({ clang, lld, objcopy, grubMkimage, xorriso, mformat, mmd, mcopy, ...(key ? { key } : {}), sbom, packages: { ar, folders: new Map(packages.map((r) => [packageKey(r.pkg), r.pkg.dir])) } }),
    jobs: opts.jobs ?? availableParallelism(),
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    check: opts.check === true,
    ...(substituters ? { substitute: substituters.substitute } : {}),
  }).finally(() => substituters?.close());
  const outPath = store.pathOf(realisation.paths.get(graph.output)!);
  const tools = [clang, lld, ar, objcopy, grubMkimage, xorriso, mformat, mmd, mcopy].map((t) => t.path);
  // Every file of every package built: a changed source must never be answered by the no-op cache.
  // A published package's signature too, and the keys it was checked against: trust is an input of the result.
  const packageInputs = packages.flatMap(({ pkg, files }) => [
    ...packageInputPaths(pkg, files),
    ...(pkg.signedBy !== undefined ? [`${pkg.file}${SIGNATURE_SUFFIX}`, ...project.trusted] : []),
  ]);
  const inputFiles = [...evaluation.files, ...tools, GRUB_DIRS.bios, GRUB_DIRS.efi, ...packageInputs, ...(key ? [project.secretKey] : [])];
  const machineModule = installedModuleOf(resolve(profile));
  const absentFiles = evaluation.files.includes(machineModule) ? [] : [machineModule];
  return { evaluation, graph, realisation, outPath, signed: key !== undefined, inputFiles, absentFiles, packages };
}

/**
 * What the SBOM names besides the image's files: Exo's version, the kernel templates, the tools, GRUB,
 * Node (major version only, as derivation keys see it) and the npm packages of package-lock.json that run in a build.
 */
async function sbomContext(tools: Record<string, Tool>): Promise<SbomContext> {
  const templates = [];
  for (const entry of await listTree(KERNEL_SRC_DIR)) {
    const text = readFileSync(join(KERNEL_SRC_DIR, entry.path));
    templates.push({ path: entry.path, sha256: entry.sha256, sha1: createHash("sha1").update(text).digest("hex") });
  }
  return {
    exoVersion: exoVersion(),
    templates,
    tools: Object.entries(tools).map(([name, t]) => ({ name, version: t.version, sha256: t.sha256 })),
    runtime: { ...npmRuntime(EXO_ROOT), node: process.versions.node.split(".")[0]! },
    grubVersion: grubVersion(tools["grub-mkimage"]!.version),
  };
}

export function exoVersion(): string {
  return (JSON.parse(readFileSync(exoPath("package.json"), "utf8")) as { version: string }).version;
}
