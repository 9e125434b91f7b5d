// A package's manifest: the `.exopkg` file (YAML) beside its sources, or
// the same written in TypeScript with definePackage. Its sections are the
// design's (package, dependencies, sandbox, binary) plus sources, build and
// services. This schema checks both forms and generates the JSON Schema
// editors complete `.exopkg` files with (schemas/exopkg.schema.json).
import semver from "semver";
import { z } from "zod";
export { packageName, packageVersion } from "./package-fields.ts";
import { compilerFlag, guestPath, packageName, packagePath, packageVersion } from "./package-fields.ts";
import { capabilities } from "./sandbox.ts";

/** What a dependency accepts: a semver range, `^1.2`, `>=1.0.0 <2.0.0`, or one version. */
export const versionRequirement = z.string().refine((r) => r.trim() !== "" && semver.validRange(r) !== null, "a version requirement such as ^1.2, ~0.3.1 or >=1.0.0 <2.0.0");

/** An SPDX license expression: identifiers joined by AND, OR and WITH, with parentheses. */
const license = z
  .string()
  .regex(/^\(*[A-Za-z0-9][A-Za-z0-9.+-]*\)*( (AND|OR|WITH) \(*[A-Za-z0-9][A-Za-z0-9.+-]*\)*)*$/, "an SPDX license expression such as MIT, Apache-2.0 or (MIT OR Apache-2.0)");

const capability = z.enum(capabilities);

/** A Debian package's name (Debian policy 5.6.1). */
const debianPackage = z.string().regex(/^[a-z0-9][a-z0-9+.-]+$/, "a Debian package name such as busybox-static");

/** An absolute path on the build host, without '..'. */
const hostPath = z
  .string()
  .regex(/^\/[^\0]*[^/]$/, "an absolute path on the build host, such as /bin/busybox")
  .refine((p) => !p.split("/").includes(".."), "a path without '..'");

/** A name in /exo/bin: one path part, short enough for a tar header with its folder. */
const binName = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9._+-]{0,63}$/, "a program name for /exo/bin: letters, digits, '.', '_', '+' and '-', at most 64 characters");

export const manifestSchema = z
  .strictObject({
    package: z.strictObject({
      name: packageName.describe("The package's name: lower-case letters, digits and '-'."),
      version: packageVersion.describe("A semantic version, major.minor.patch."),
      description: z.string().min(1, "a one-line description").max(200, "a description is one line of at most 200 characters").describe("One line saying what it is."),
      license: license.describe("An SPDX license expression."),
      kind: z.enum(["program", "library"]).default("program").describe("A program is linked into bin/; a library is an archive and headers other packages build against."),
    }),
    sources: z.array(packagePath).default([]).describe("C sources, relative to the manifest's folder; `*` matches within one folder (src/*.c)."),
    headers: z.array(packagePath).default([]).describe("A library's headers, installed into its include/."),
    prebuilt: z
      .strictObject({
        file: packagePath.optional().describe("The file, in the package's folder."),
        debian: z
          .strictObject({
            package: debianPackage.describe("The Debian package that installs it on the build host, such as busybox-static."),
            path: hostPath.describe("Where that package installs it, such as /bin/busybox."),
          })
          .optional()
          .describe("A file of a Debian package installed on the build host, taken unmodified: read (a regular file, at most 64 MiB) and checked against sha256 before it enters the store."),
        sha256: z.string().regex(/^[0-9a-f]{64}$/, "the file's SHA-256, 64 lower-case hex digits").describe("The file's SHA-256: the only way it is taken (`sha256sum FILE`)."),
      })
      .optional()
      .describe("A program built elsewhere, pinned by its SHA-256, instead of sources: a static ELF, or a script starting with `#!`. Either `file` (in the package's folder) or `debian` (a file of an installed Debian package)."),
    script: packagePath
      .optional()
      .describe("A script as the program, instead of sources: its first line is `#!` and an absolute interpreter path that a package of the image provides, such as #!/exo/bin/sh (package busybox)."),
    links: z
      .array(binName)
      .default([])
      .describe("More names for the program in /exo/bin: each /exo/bin/<link> is a symlink to it, as busybox's applets are (it picks one by the name it is run as)."),
    data: z
      .array(packagePath)
      .default([])
      .describe("Files the program ships in the image (`*` matches within one folder): at /exo/apps/<name>/<version>/share/<path>, and at /exo/share/<name>/<path> for the version /exo/bin/<name> runs."),
    dependencies: z
      .strictObject({
        build: z.record(packageName, versionRequirement).default({}).describe("Libraries linked in at build time (their headers and archives), by name: a version requirement."),
        runtime: z.record(packageName, versionRequirement).default({}).describe("Packages the image must carry beside this one, by name: a version requirement."),
      })
      .default({ build: {}, runtime: {} }),
    build: z
      .strictObject({
        cflags: z.array(compilerFlag).default([]).describe("Compiler flags added to the toolchain's own."),
        toolchain: z
          .enum(["exo", "musl"])
          .default("exo")
          .describe("exo: clang against Exo's SDK (exo.h, crt0, libexo), Exo's syscall ABI. musl: Debian's musl-gcc -static -O2, a Linux x86_64 program the kernel runs under its Linux ABI."),
      })
      .default({ cflags: [], toolchain: "exo" }),
    binary: z
      .strictObject({
        strip: z.boolean().default(true).describe("Strip symbols from the linked program."),
        lto: z.boolean().default(false).describe("Link-time optimisation across the package's sources and libraries."),
      })
      .default({ strip: true, lto: false }),
    sandbox: z
      .strictObject({
        capabilities: z.array(capability).default([]).describe("What its processes may do (schemas/sandbox.ts)."),
        filesystem: z
          .strictObject({ read: z.array(guestPath).default([]), write: z.array(guestPath).default([]) })
          .default({ read: [], write: [] })
          .describe("Paths its processes may read, and write."),
        network: z.boolean().default(false).describe("Whether its processes may use the network."),
        ipc: z.array(packageName).default([]).describe("The packages its processes may exchange messages with."),
        memoryPages: z.number().int().min(1).max(1 << 20).default(256).describe("The most pages of memory a process may map."),
      })
      .default({ capabilities: [], filesystem: { read: [], write: [] }, network: false, ipc: [], memoryPages: 256 })
      .describe("What the package's processes may do: the policy init starts them under."),
    services: z
      .array(
        z.strictObject({
          name: packageName.describe("The service's name, as init reports it."),
          daemon: z.boolean().default(false).describe("Runs until init stops it; exiting early is a failure."),
          restart: z.enum(["no", "on-failure", "always"]).default("no").describe("What init does when it exits."),
        }),
      )
      .default([])
      .describe("Processes init starts from this package; none: a program that runs only when asked."),
  })
  .superRefine((m, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    const isLibrary = m.package.kind === "library";
    // Where the program comes from: exactly one of these.
    const from = ([["sources", "sources"], ["prebuilt", "a prebuilt file"], ["script", "a script"]] as const).filter(([field]) => (field === "sources" ? m.sources.length > 0 : m[field] !== undefined));
    if (from.length > 1) issue([from[1]![0]], `a package has ${from.map(([, what]) => what).join(" or ")}, not ${from.length === 2 ? "both" : "all three"}`);
    if (from.length === 0) issue(["sources"], "a package needs sources (C files) or a prebuilt file, or a script");
    if (m.prebuilt && (m.prebuilt.file === undefined) === (m.prebuilt.debian === undefined)) issue(["prebuilt"], "a prebuilt program is either `file` (in the package's folder) or `debian` (a file of a Debian package), exactly one");
    if (isLibrary && m.prebuilt) issue(["prebuilt"], "a library is built from its sources");
    if (isLibrary && m.script !== undefined) issue(["script"], "a library is built from its sources");
    if (isLibrary && m.links.length > 0) issue(["links"], "a library has no program to link to");
    if (isLibrary && m.data.length > 0) issue(["data"], "a library is linked into programs: it ships no files in the image");
    if (m.build.toolchain === "musl" && m.script !== undefined) issue(["build", "toolchain"], "a script is not built: the toolchain applies to sources");
    const links = new Set<string>();
    m.links.forEach((l, i) => {
      if (l === m.package.name) issue(["links", i], `/exo/bin/${l} is the program itself already`);
      else if (links.has(l)) issue(["links", i], `the link ${l} is listed twice`);
      links.add(l);
    });
    if (isLibrary && m.headers.length === 0) issue(["headers"], "a library lists the headers other packages include");
    if (isLibrary && m.services.length > 0) issue(["services"], "a library has no services: it is linked into programs");
    if (!isLibrary && m.headers.length > 0) issue(["headers"], "only a library installs headers");
    if (m.build.toolchain === "musl" && isLibrary) issue(["build", "toolchain"], "the musl toolchain builds programs only: a library is built against Exo's SDK");
    if (m.build.toolchain === "musl" && Object.keys(m.dependencies.build).length > 0) issue(["dependencies", "build"], "a program built with the musl toolchain links musl's libc only, no Exo library");
    if (m.build.toolchain === "musl" && m.prebuilt) issue(["build", "toolchain"], "a prebuilt file is not built: the toolchain applies to sources");
    for (const kind of ["build", "runtime"] as const) {
      if (Object.hasOwn(m.dependencies[kind], m.package.name)) issue(["dependencies", kind, m.package.name], "a package cannot depend on itself");
    }
    const seen = new Set<string>();
    m.services.forEach((s, i) => {
      if (seen.has(s.name)) issue(["services", i, "name"], `the service name "${s.name}" is used twice`);
      seen.add(s.name);
    });
  });

/** What a manifest may say (defaults left out). */
export type ManifestInput = z.input<typeof manifestSchema>;
/** A checked manifest, with every default filled in. */
export type Manifest = z.output<typeof manifestSchema>;
