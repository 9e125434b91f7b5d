// Publish a package: build it in the store (its libraries linked in), then
// write DIR/<name>-<version>/ holding bin/<name>, a manifest of the
// prebuilt form and its detached signature (publication.ts), which another
// project installs from with the signature checked against its trusted
// keys. The folder is written whole or not at all, and a folder already
// there is accepted only when it is the same, byte for byte.
import { availableParallelism } from "node:os";
import { chmod, mkdir, mkdtemp, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "yaml";
import type { Manifest } from "../../schemas/manifest.ts";
import { PLAN_SCHEMA } from "../../store/derivation.ts";
import { sha256Hex } from "../../store/hash.ts";
import { type BuildEvent, realise } from "../../store/realise.ts";
import { exists, removeTree, Store } from "../../store/store.ts";
import { hashTree } from "../../store/tree.ts";
import { compileBuilder } from "../builders/compile.ts";
import { templatesHash, userSourcesBuilder } from "../builders/kernel-sources.ts";
import { packageBuilder, packageSourcesBuilder } from "../builders/package.ts";
import { ExoError } from "../errors.ts";
import { displayPath } from "../eval/paths.ts";
import type { Project } from "../project/config.ts";
import { loadSecretKey } from "../sign/keys.ts";
import { findTool, ToolCache } from "../toolchain.ts";
import { type LoadedPackage, MANIFEST_EXTENSION } from "./manifest.ts";
import { packageDerivations, packageId, packageKey, sdkDerivations } from "./plan.ts";
import { publicationBytes, signPublication, SIGNATURE_SUFFIX, type SignedFile } from "./publication.ts";
import { type ResolvedPackage, resolvePackages } from "./resolve.ts";

export interface PublishOptions {
  readonly pkg: LoadedPackage;
  /** Where its build dependencies are found; a package of the same name in it is replaced by `pkg`. */
  readonly set: readonly LoadedPackage[];
  readonly project: Project;
  /** The folder the publication is written into, as <name>-<version>/. */
  readonly out: string;
  readonly jobs?: number;
  readonly onEvent?: (event: BuildEvent) => void;
}

export interface Published {
  readonly folder: string;
  readonly keyId: string;
  readonly files: readonly SignedFile[];
  /** The same publication was there already. */
  readonly unchanged: boolean;
}

export async function publishPackage(opts: PublishOptions): Promise<Published> {
  const { pkg, project } = opts;
  const { name, version, kind } = pkg.manifest.package;
  if (kind === "library") {
    throw new ExoError("ERR_EXO_PACKAGE_INVALID", `${name}@${version} is a library: only a program can be published yet`, "publish the programs that link it: a library is built into each of them");
  }
  if (pkg.manifest.data.length > 0) {
    throw new ExoError("ERR_EXO_PACKAGE_INVALID", `${name}@${version} ships data files (${pkg.manifest.data.join(", ")}): a publication carries its program only, so far`, "publish a program without `data`, or share the package's folder itself");
  }
  const key = await loadSecretKey(project.secretKey);
  const binary = await buildProgram(opts);
  const sha256 = sha256Hex(binary);
  const manifestText = publishedManifest(pkg.manifest, sha256);
  const manifestName = `${name}${MANIFEST_EXTENSION}`;
  const files: SignedFile[] = [
    { path: `bin/${name}`, sha256 },
    { path: manifestName, sha256: sha256Hex(manifestText) },
  ];
  const publication = signPublication(name, version, files, key);
  const folder = join(opts.out, `${name}-${version}`);
  const unchanged = await writePublication(opts.out, folder, {
    [`bin/${name}`]: { bytes: binary, mode: 0o755 },
    [manifestName]: { bytes: Buffer.from(manifestText), mode: 0o644 },
    [`${manifestName}${SIGNATURE_SUFFIX}`]: { bytes: publicationBytes(publication), mode: 0o644 },
  });
  return { folder, keyId: key.keyId, files: publication.files, unchanged };
}

/** Build the program and the libraries it links (not its runtime dependencies: they are installed beside it). */
async function buildProgram(opts: PublishOptions): Promise<Buffer> {
  const { pkg, project } = opts;
  const set = [pkg, ...opts.set.filter((p) => p.manifest.package.name !== pkg.manifest.package.name)];
  // Runtime dependencies are the installer's to resolve: only what is linked in must be found here.
  const original = new Map(set.map((p) => [packageKey(p), p]));
  const buildOnly = set.map((p) => ({ ...p, manifest: { ...p.manifest, dependencies: { ...p.manifest.dependencies, runtime: {} } } }));
  const resolved = (await resolvePackages([pkg.manifest.package.name], buildOnly)).map((r) => ({
    ...r,
    pkg: original.get(packageKey(r.pkg))!,
    libraries: r.libraries.map((l) => original.get(packageKey(l))!),
  }));
  const needed = buildClosure(packageKey(pkg), resolved);
  const derivations = [...sdkDerivations()];
  for (const r of resolved) if (needed.has(packageKey(r.pkg))) derivations.push(...packageDerivations(r.pkg, r.files, r.libraries));
  const store = new Store(project.store);
  await store.init();
  const cache = new ToolCache(join(store.dir("cache"), "tools.json"));
  const [clang, lld, ar] = await Promise.all([findTool(project.clang, { cache }), findTool(project.lld, { cache }), findTool("llvm-ar", { cache })]);
  await cache.flush();
  const folders = new Map(resolved.filter((r) => needed.has(packageKey(r.pkg))).map((r) => [packageKey(r.pkg), r.pkg.dir]));
  const output = packageId(packageKey(pkg));
  const { paths } = await realise(
    { schema: PLAN_SCHEMA, derivations, output },
    {
      store,
      jobs: opts.jobs ?? availableParallelism(),
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
      builders: {
        "user-sources": userSourcesBuilder(await templatesHash()),
        compile: compileBuilder(clang),
        "package-sources": packageSourcesBuilder(folders),
        package: packageBuilder({ clang, lld, ar }),
      },
    },
  );
  return readFile(join(store.pathOf(paths.get(output)!), "bin", pkg.manifest.package.name));
}

/** `key` and every library it links, directly or through another library. */
function buildClosure(key: string, resolved: readonly ResolvedPackage[]): Set<string> {
  const byKey = new Map(resolved.map((r) => [packageKey(r.pkg), r]));
  const seen = new Set<string>();
  const visit = (k: string): void => {
    if (seen.has(k)) return;
    seen.add(k);
    for (const lib of byKey.get(k)?.libraries ?? []) visit(packageKey(lib));
  };
  visit(key);
  return seen;
}

/**
 * The manifest of the prebuilt form: the same package section, sandbox, services and runtime
 * dependencies; no sources, build flags or build dependencies, which are linked in already.
 */
export function publishedManifest(m: Manifest, sha256: string): string {
  const { name, version, description, license } = m.package;
  const doc = {
    package: { name, version, description, license },
    prebuilt: { file: `bin/${name}`, sha256 },
    ...(m.links.length ? { links: m.links } : {}),
    ...(Object.keys(m.dependencies.runtime).length ? { dependencies: { runtime: m.dependencies.runtime } } : {}),
    sandbox: m.sandbox,
    ...(m.services.length ? { services: m.services } : {}),
  };
  return `# ${name} ${version}, published with \`exo publish\`: a prebuilt static ELF; ${name}${MANIFEST_EXTENSION}${SIGNATURE_SUFFIX} signs every file.\n${stringify(doc)}`;
}

type Files = Readonly<Record<string, { readonly bytes: Uint8Array; readonly mode: number }>>;

/** Write `files` as `folder` through a scratch folder beside it and a rename; true when an identical folder was there. */
async function writePublication(out: string, folder: string, files: Files): Promise<boolean> {
  await mkdir(out, { recursive: true });
  const scratch = await mkdtemp(join(out, ".publish-"));
  try {
    for (const [path, { bytes, mode }] of Object.entries(files)) {
      await mkdir(join(scratch, path, ".."), { recursive: true });
      await writeFile(join(scratch, path), bytes, { mode });
      await chmod(join(scratch, path), mode); // whatever the umask
    }
    await chmod(join(scratch, "bin"), 0o755);
    await chmod(scratch, 0o755);
    if (!(await exists(folder))) {
      const moved = await rename(scratch, folder).then(
        () => true,
        (e: NodeJS.ErrnoException) => (e.code === "ENOTEMPTY" || e.code === "EEXIST" ? false : Promise.reject(e)),
      );
      if (moved) return false;
    }
    // There already (or written meanwhile by another publish): the same bytes, or a refusal.
    const same = await Promise.all([hashTree(scratch), hashTree(folder).catch(() => undefined)]).then(([a, b]) => a === b);
    if (!same) {
      throw new ExoError(
        "ERR_EXO_USAGE",
        `${displayPath(folder)} already exists and differs from this publication`,
        "a published version never changes: raise the package's version, or publish into another folder with --out",
      );
    }
    return true;
  } finally {
    await removeTree(scratch).catch(() => undefined);
  }
}
