// A package as derivations: its sources, snapshotted into the store by
// content, then built with the user toolchain against the user SDK (exo.h,
// crt0, libexo) and the libraries it build-depends on. The key of a
// package covers its sources, its dependencies' outputs and its build
// settings; its output is bin/ (a program) or lib/ and include/ (a
// library), and share/exo/<name>.json, its manifest. A program with
// `build.toolchain: musl` is built with musl-gcc instead, as a static Linux
// program (no SDK), linked above the kernel's 1 GiB.
import type { Arch } from "../../schemas/system.ts";
import { renderUser, userToolchain as userToolchainOf } from "../../kernel-src/user/index.ts";
import { MUSL_TEXT_BASE } from "../../kernel-src/arch/x86_64/memlayout.ts";
import { muslGcc } from "../toolchain.ts";
import type { Derivation } from "../../store/derivation.ts";
import type { Json } from "../../store/hash.ts";
import { ExoError } from "../errors.ts";
import { compileDerivations, objectId, type Tree } from "../plan/objects.ts";
import type { PackageArgs, PackageSourcesArgs } from "../builders/package.ts";
import { allPackageFiles, type PackageFiles } from "./files.ts";
import type { LoadedPackage } from "./manifest.ts";

/** The user SDK's tree and the objects every program links: crt0 first, libexo last. */
export const USER_SOURCES = "user-sources";
export const USER_OBJECT_PREFIX = "uobj:";
export const CRT0 = objectId(USER_OBJECT_PREFIX, "lib/crt0.S");
export const LIBEXO = objectId(USER_OBJECT_PREFIX, "lib/libexo.c");

/** The user SDK's tree for `arch`. */
export function userTree(arch: Arch): Tree {
  return { files: renderUser(arch), toolchain: userToolchainOf(arch), sources: USER_SOURCES, idPrefix: USER_OBJECT_PREFIX, namePrefix: "user-" };
}

/** The user SDK: its source tree and the objects of `needed` (crt0 and libexo at least). */
export function sdkDerivations(arch: Arch = "x86_64", needed: ReadonlySet<string> = new Set(["lib/crt0.S", "lib/libexo.c"])): Derivation[] {
  return [{ id: USER_SOURCES, name: "user-sources", builder: "user-sources", args: { arch }, inputs: {} }, ...compileDerivations(userTree(arch), needed)];
}

/**
 * musl programs: static, optimised, reproducible (no build id; no path of the
 * scratch folder, whose sources are relative anyway), and linked at
 * MUSL_TEXT_BASE: Linux's usual 0x400000 is inside the kernel's identity map.
 */
const MUSL_CFLAGS = ["-O2", "-static", "-fno-ident"];
const MUSL_LDFLAGS = ["-static", "-Wl,--build-id=none", `-Wl,-Ttext-segment=0x${MUSL_TEXT_BASE.toString(16)}`];

/** `name@version`: a package's identity in the set and in derivation ids. */
export const packageKey = (pkg: LoadedPackage): string => `${pkg.manifest.package.name}@${pkg.manifest.package.version}`;
export const packageSourcesId = (key: string): string => `pkgsrc:${key}`;
export const packageId = (key: string): string => `pkg:${key}`;

/**
 * The derivations of `pkg`; `libraries` are the packages it build-depends on, already chosen for its
 * requirements, in link order. Their derivations (and the SDK's) must be in the same graph.
 */
export function packageDerivations(pkg: LoadedPackage, files: PackageFiles, libraries: readonly LoadedPackage[], arch: Arch = "x86_64"): Derivation[] {
  const { manifest } = pkg;
  const key = packageKey(pkg);
  const userToolchain = userToolchainOf(arch);
  const name = `${manifest.package.name}-${manifest.package.version}`.replace(/[^a-z0-9._+-]/g, "-");
  // A host file's derivation is fixed-output: its key holds the pinned hash (and its path), never bytes read unchecked.
  const sources: PackageSourcesArgs = { package: key, files: allPackageFiles(files) };
  for (const lib of libraries) {
    if (lib.manifest.package.kind !== "library") {
      throw new ExoError("ERR_EXO_PACKAGE_INVALID", `${key} build-depends on ${packageKey(lib)}, which is a program: only a library can be linked in`, "put it under dependencies.runtime to carry it in the image beside this one");
    }
  }
  const isProgram = manifest.package.kind === "program";
  const musl = manifest.build.toolchain === "musl" && !files.prebuilt;
  if ((musl || files.prebuilt) && arch !== "x86_64") {
    const what = musl ? "is built with musl-gcc for x86_64 Linux" : "is a prebuilt x86_64 Linux program";
    throw new ExoError("ERR_EXO_PACKAGE_INVALID", `package ${key} ${what}, but option \`system.arch\` is ${arch}`, "leave it out of packages.install for this arch, or build it with the SDK (build.toolchain: exo)");
  }
  const packageDefines = [`-DEXO_PACKAGE_NAME="${manifest.package.name}"`, `-DEXO_PACKAGE_VERSION="${manifest.package.version}"`];
  const args: PackageArgs = {
    toolchain: musl ? "musl" : "exo",
    // The compiler's identity, in the key: planning finds musl-gcc (the SDK's clang is the builder's own).
    compiler: musl ? (({ version, sha256 }) => ({ version, sha256 }))(muslGcc()) : null,
    name: manifest.package.name,
    version: manifest.package.version,
    kind: manifest.package.kind,
    sources: files.sources.map((f) => f.path),
    headers: files.headers.map((f) => f.path),
    prebuilt: files.prebuilt?.path ?? null,
    data: (files.data ?? []).map((f) => f.path),
    target: userToolchain.target,
    // A program can say which package and version it is without repeating them in its sources.
    cflags: musl
      ? [...MUSL_CFLAGS, `-frandom-seed=${manifest.package.name}`, ...packageDefines, ...manifest.build.cflags, ...(manifest.binary.lto ? ["-flto"] : [])]
      : [...userToolchain.cflags, ...packageDefines, ...manifest.build.cflags, ...(manifest.binary.lto ? ["-flto"] : [])],
    asflags: userToolchain.asflags,
    includeDir: userToolchain.includeDir,
    // The toolchain strips every program; a package may keep its symbols.
    ldflags: musl
      ? [...MUSL_LDFLAGS, ...(manifest.binary.lto ? ["-flto"] : []), ...(manifest.binary.strip ? ["-s"] : [])]
      : [...userToolchain.ldflags.filter((f) => f !== "--strip-all"), ...(manifest.binary.strip ? ["--strip-all"] : [])],
    linkerScript: userToolchain.linkerScript,
    libraries: libraries.map((l) => l.manifest.package.name),
    manifest: manifest as unknown as Json,
  };
  const inputs: Derivation["inputs"] = {
    sources: { node: packageSourcesId(key) },
    ...(musl ? {} : { sdk: { node: USER_SOURCES } }),
    ...(isProgram && !musl ? { crt0: { node: CRT0 }, libexo: { node: LIBEXO } } : {}),
    ...Object.fromEntries(libraries.map((l) => [`lib:${l.manifest.package.name}`, { node: packageId(packageKey(l)) }])),
  };
  return [
    { id: packageSourcesId(key), name: `${name}-source`, builder: "package-sources", args: sources as unknown as Json, inputs: {} },
    { id: packageId(key), name, builder: "package", args: args as unknown as Json, inputs },
  ];
}
