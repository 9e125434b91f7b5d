// Builders of packages: `package-sources` copies a package's files from its
// folder into the store, each checked against the hash its derivation was
// planned with; `package` compiles and links them with the user toolchain:
// a program into bin/<name>, a library into lib/lib<name>.a and include/;
// or, for `build.toolchain: musl`, with musl-gcc into a static Linux program.
import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Builder } from "../../store/derivation.ts";
import { canonicalJson, type Json, sha256Hex } from "../../store/hash.ts";
import { ExoError } from "../errors.ts";
import { muslGcc, type Tool } from "../toolchain.ts";
import type { PackageFile } from "../packages/files.ts";
import { readHostFile } from "../packages/host-file.ts";
import { runTool } from "./exec.ts";
import { builderVersion } from "./version.ts";

export interface PackageSourcesArgs {
  /** `name@version`, whose folder the builder was given. */
  readonly package: string;
  readonly files: readonly PackageFile[];
}

export interface PackageArgs {
  /** exo: clang and ld.lld against the SDK; musl: musl-gcc, no SDK. */
  readonly toolchain: "exo" | "musl";
  /** The identity of a compiler the builder does not carry itself (musl-gcc), so that it is in the key. */
  readonly compiler: { readonly version: string; readonly sha256: string } | null;
  readonly name: string;
  readonly version: string;
  readonly kind: "program" | "library";
  readonly sources: readonly string[];
  readonly headers: readonly string[];
  /** The program taken as is (a prebuilt file or a script), in the sources tree. */
  readonly prebuilt: string | null;
  /** Files shipped beside the program, copied into share/. */
  readonly data: readonly string[];
  readonly target: string;
  readonly cflags: readonly string[];
  readonly asflags: readonly string[];
  /** The SDK's include folder (exo.h). */
  readonly includeDir: string;
  readonly ldflags: readonly string[];
  readonly linkerScript: string;
  /** Names of the libraries linked in, in order; each is input `lib:<name>`. */
  readonly libraries: readonly string[];
  readonly manifest: Json;
}

/** Where each package's folder is, by `name@version`: outside the key, as the tools' paths are. */
export function packageSourcesBuilder(folders: ReadonlyMap<string, string>): Builder {
  return {
    version: builderVersion(import.meta.url),
    async run(ctx) {
      const args = ctx.args as unknown as PackageSourcesArgs;
      const folder = folders.get(args.package);
      if (!folder) throw new ExoError("ERR_EXO_BUILD_FAILED", `the folder of package ${args.package} is not known to this build`);
      for (const file of args.files) {
        // A host file (a Debian package's) is read with its own checks; either way nothing enters the store before its hash matches.
        const bytes = file.host === undefined ? await readFile(join(folder, file.path)) : await readHostFile(file.host, `${args.package}: prebuilt.debian`);
        const sha256 = sha256Hex(bytes);
        if (sha256 !== file.sha256) throw new ExoError("ERR_EXO_BUILD_FAILED", `${args.package}: ${file.host?.path ?? file.path} changed while the build ran (SHA-256 ${sha256}, planned with ${file.sha256})`, "build again");
        await mkdir(dirname(join(ctx.out, file.path)), { recursive: true });
        await writeFile(join(ctx.out, file.path), bytes);
      }
    },
  };
}

export function packageBuilder(tools: { clang: Tool; lld: Tool; ar: Tool }): Builder {
  const { clang, lld, ar } = tools;
  return {
    version: builderVersion(import.meta.url, [clang, lld, ar].map((t) => ({ version: t.version, sha256: t.sha256 }))),
    async run(ctx) {
      const args = ctx.args as unknown as PackageArgs;
      const what = `package ${args.name}@${args.version}`;
      // Everything under short relative names in the scratch folder: no absolute path reaches an output.
      await cp(ctx.inputs.sources!, join(ctx.tmp, "pkg"), { recursive: true });
      if (args.toolchain === "musl") return buildMusl(ctx, args, what);
      await cp(join(ctx.inputs.sdk!, args.includeDir), join(ctx.tmp, "sdk"), { recursive: true });
      // The SDK (exo.h), the package's own folder and the folders of its headers, then each library's include/.
      const own = [...new Set(["pkg", ...args.headers.map((h) => join("pkg", dirname(h)))])];
      const includes = ["-I", "sdk", ...own.flatMap((d) => ["-I", d]), ...args.libraries.flatMap((l) => ["-I", `deps/${l}/include`])];
      for (const lib of args.libraries) await cp(ctx.inputs[`lib:${lib}`]!, join(ctx.tmp, "deps", lib), { recursive: true });
      await mkdir(join(ctx.tmp, "obj"));
      const objects: string[] = [];
      for (const [i, source] of args.sources.entries()) {
        const object = `obj/${String(i).padStart(3, "0")}-${basename(source).replace(/[^A-Za-z0-9._-]/g, "_")}.o`;
        const flags = source.endsWith(".S") ? args.asflags : args.cflags;
        await runTool(clang, [`--target=${args.target}`, ...flags, ...includes, "-c", `pkg/${source}`, "-o", object], { cwd: ctx.tmp, what: `clang on ${what}'s ${source}`, log: ctx.log });
        objects.push(object);
      }
      await writeFile(join(ctx.out, "manifest.json"), `${canonicalJson(args.manifest)}\n`);
      if (args.kind === "library") {
        await mkdir(join(ctx.out, "lib"));
        // D: deterministic members (no times, owners or modes), so the archive is reproducible.
        await runTool(ar, ["rcsD", join(ctx.out, "lib", `lib${args.name}.a`), ...objects], { cwd: ctx.tmp, what: `llvm-ar on ${what}`, log: ctx.log });
        await mkdir(join(ctx.out, "include"));
        const names = new Set<string>();
        for (const header of args.headers) {
          if (names.has(basename(header))) throw new ExoError("ERR_EXO_PACKAGE_INVALID", `${what}: two headers are named ${basename(header)}`);
          names.add(basename(header));
          await cp(join(ctx.tmp, "pkg", header), join(ctx.out, "include", basename(header)));
        }
        return;
      }
      await mkdir(join(ctx.out, "bin"));
      await copyData(ctx, args);
      const program = join(ctx.out, "bin", args.name);
      if (args.prebuilt !== null) {
        await cp(join(ctx.tmp, "pkg", args.prebuilt), program);
        return;
      }
      await cp(join(ctx.inputs.sdk!, args.linkerScript), join(ctx.tmp, "user.ld"));
      await cp(join(ctx.inputs.crt0!, "object.o"), join(ctx.tmp, "crt0.o"));
      await cp(join(ctx.inputs.libexo!, "object.o"), join(ctx.tmp, "libexo.o"));
      const archives = args.libraries.map((l) => `deps/${l}/lib/lib${l}.a`);
      await runTool(lld, [...args.ldflags, "-T", "user.ld", "-o", "program", "crt0.o", ...objects, ...archives, "libexo.o"], { cwd: ctx.tmp, what: `ld.lld linking ${what}`, log: ctx.log });
      await cp(join(ctx.tmp, "program"), program);
    },
  };
}

/** A musl program: each source compiled, then linked, with musl-gcc into bin/<name>; its manifest beside. */
async function buildMusl(ctx: Parameters<Builder["run"]>[0], args: PackageArgs, what: string): Promise<void> {
  const gcc = muslGcc();
  if (args.compiler && (gcc.sha256 !== args.compiler.sha256 || gcc.version !== args.compiler.version)) {
    throw new ExoError("ERR_EXO_BUILD_FAILED", `${what}: musl-gcc changed between planning and building`, "build again");
  }
  const includes = [...new Set(["pkg", ...args.sources.map((s) => join("pkg", dirname(s)))])].flatMap((d) => ["-I", d]);
  await mkdir(join(ctx.tmp, "obj"));
  const objects: string[] = [];
  for (const [i, source] of args.sources.entries()) {
    const object = `obj/${String(i).padStart(3, "0")}-${basename(source).replace(/[^A-Za-z0-9._-]/g, "_")}.o`;
    // The scratch folder's absolute path never reaches the object (debug info, __FILE__).
    await runTool(gcc, [...args.cflags, `-ffile-prefix-map=${ctx.tmp}=.`, ...includes, "-c", `pkg/${source}`, "-o", object], { cwd: ctx.tmp, what: `musl-gcc on ${what}'s ${source}`, log: ctx.log });
    objects.push(object);
  }
  await runTool(gcc, [...args.ldflags, "-o", "program", ...objects], { cwd: ctx.tmp, what: `musl-gcc linking ${what}`, log: ctx.log });
  await writeFile(join(ctx.out, "manifest.json"), `${canonicalJson(args.manifest)}\n`);
  await mkdir(join(ctx.out, "bin"));
  await cp(join(ctx.tmp, "program"), join(ctx.out, "bin", args.name));
  await copyData(ctx, args);
}

/** A program's data files, from its sources tree into share/. */
async function copyData(ctx: Parameters<Builder["run"]>[0], args: PackageArgs): Promise<void> {
  for (const file of args.data) {
    await mkdir(dirname(join(ctx.out, "share", file)), { recursive: true });
    await cp(join(ctx.tmp, "pkg", file), join(ctx.out, "share", file));
  }
}
