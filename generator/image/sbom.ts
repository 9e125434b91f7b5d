// The software bill of materials of an image: an SPDX 2.3 JSON document
// listing what the image is made of (kernel, initrd and every file in it,
// GRUB's images, packages with versions) and what made it (the kernel
// templates, each with its hashes, the toolchain, GRUB, and Exo itself
// with Node and every npm package that runs in a build).
//
// What it describes is the payload: the signed file tree every format
// carries byte for byte. The containers (bundle.tar, exo.iso, disk.raw,
// kernel/) are not in it: they hold this document, so it cannot hold their
// hashes, and which of them a build makes is the image builder's business,
// not the payload's. image.json, signed, lists every container and this
// document with their SHA-256, so it is what ties the two together; the
// copy of this document beside the containers is the same file.
//
// Deterministic: the creation time is the image's SOURCE_DATE_EPOCH and the
// namespace is the SHA-256 of everything else the document says, so two
// images share a namespace exactly when they describe the same content.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { canonicalJson } from "../../store/hash.ts";

type Checksum = { readonly algorithm: "SHA1" | "SHA256" | "SHA384" | "SHA512"; readonly checksumValue: string };

/** An npm package that takes part in a build: a runtime dependency of Exo, or one of theirs. */
export interface NpmPackage {
  readonly name: string;
  readonly version: string;
  /** The `license` of its package.json when it is an SPDX expression, else NOASSERTION. */
  readonly license: string;
  /** The hash of its tarball, from the lock file's `integrity`. */
  readonly checksum?: Checksum;
  /** `name@version` of the packages it depends on (those that take part). */
  readonly dependencies: readonly string[];
}

/** A package of the image, as its manifest and its resolved dependencies describe it. */
export interface SbomPackage {
  readonly name: string;
  readonly version: string;
  /** The manifest's SPDX license expression. */
  readonly license: string;
  /** Every file it is built from (sources, headers, prebuilt, the manifest), by SHA-256. */
  readonly sources: readonly { readonly path: string; readonly sha256: string }[];
  /** Its program's path in the initrd; null for a library. */
  readonly file: string | null;
  /** `name@version` of the libraries it links, and of the packages it needs at run time. */
  readonly links: readonly string[];
  readonly needs: readonly string[];
}

/** What runs `exo build`: Exo, Node (major version) and the npm packages. */
export interface Runtime {
  readonly exoLicense: string;
  /** Node's major version only: derivation keys cover no more, so the document may not say more. */
  readonly node: string;
  /** `name@version` of Exo's own `dependencies`. */
  readonly dependencies: readonly string[];
  readonly npm: readonly NpmPackage[];
}

interface Blob {
  readonly path: string;
  readonly data: Uint8Array;
}

export interface SbomInput {
  readonly system: string;
  readonly configHash: string;
  readonly epoch: number;
  readonly exoVersion: string;
  /** Files the image carries (its manifest's files, bar the SBOM itself). */
  readonly files: readonly Blob[];
  /** The files inside the initrd (`files` holds the initrd itself at `initrdPath`). */
  readonly initrd: { readonly path: string; readonly files: readonly Blob[] };
  readonly templates: readonly { readonly path: string; readonly sha256: string; readonly sha1: string }[];
  /** Every package the image is built from: installed, depended on at run time, or linked in. */
  readonly packages: readonly SbomPackage[];
  readonly tools: readonly { readonly name: string; readonly version: string; readonly sha256: string }[];
  readonly runtime: Runtime;
  readonly grub: {
    /** Debian's version of GRUB (`grub-mkimage --version`). */
    readonly version: string;
    /** Paths in `files` of the images grub-mkimage made from GRUB's modules. */
    readonly images: readonly string[];
    /** GRUB's boot sectors, copied from its package: their code is the MBR of the raw disk (boot.img) and of the ISO (boot_hybrid.img). */
    readonly bootSectors: readonly Blob[];
  } | null /* a port that boots a flat Image, without GRUB */;
  /** Image files that hold another one (`efi.img` holds `EFI/BOOT/BOOTX64.EFI`). */
  readonly nested: readonly { readonly outer: string; readonly inner: string }[];
}

export const SBOM_FILE = "sbom.spdx.json";
export const SPDX_NAMESPACE_BASE = "https://exo.invalid/spdx/";

const hash = (algorithm: "sha1" | "sha256", data: Uint8Array) => createHash(algorithm).update(data).digest("hex");
const sums = (data: Uint8Array): Checksum[] => [
  { algorithm: "SHA1", checksumValue: hash("sha1", data) },
  { algorithm: "SHA256", checksumValue: hash("sha256", data) },
];
/** SPDX 7.9: SHA-1 of the package's files' SHA-1s, sorted and concatenated. */
const verificationCode = (sha1s: readonly string[]) => ({ packageVerificationCodeValue: createHash("sha1").update([...sha1s].sort().join("")).digest("hex") });

/** A purl component: everything but unreserved characters percent-encoded (so `@` is `%40`). */
const purlPart = (s: string) => [...Buffer.from(s, "utf8")].map((b) => (/[A-Za-z0-9.\-_~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`)).join("");
/** `pkg:npm/<namespace>/<name>@<version>`, the scope as the namespace. */
export function npmPurl(name: string, version: string): string {
  const slash = name.startsWith("@") ? name.indexOf("/") : -1;
  const path = slash > 0 ? `${purlPart(name.slice(0, slash))}/${purlPart(name.slice(slash + 1))}` : purlPart(name);
  return `pkg:npm/${path}@${purlPart(version)}`;
}
const purlRef = (locator: string) => ({ referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: locator });

/** GRUB and its boot sectors, as packages of the document (x86_64 images). */
function grubPackages(grub: NonNullable<SbomInput["grub"]>, grubId: string, id: (kind: string, name: string) => string): object[] {
  return [
    {
      SPDXID: grubId,
      name: "grub",
      versionInfo: grub.version,
      downloadLocation: "NOASSERTION",
      filesAnalyzed: false,
      licenseConcluded: "NOASSERTION",
      licenseDeclared: "GPL-3.0-or-later",
      primaryPackagePurpose: "APPLICATION",
      comment: "GRUB as the build machine's packages ship it: its modules make core.img, eltorito.img and BOOTX64.EFI (grub-mkimage); boot.img and boot_hybrid.img are copied from it",
    },
    ...grub.bootSectors.map((f) => ({
      SPDXID: id("Package", `grub-${f.path}`),
      name: f.path,
      versionInfo: grub.version,
      downloadLocation: "NOASSERTION",
      filesAnalyzed: false,
      checksums: sums(f.data),
      licenseConcluded: "NOASSERTION",
      licenseDeclared: "GPL-3.0-or-later",
      primaryPackagePurpose: "FILE",
      comment: "GRUB's boot sector: its first 440 bytes, with the sector of core.img and the boot drive written in, are the MBR code of the image's BIOS-bootable formats (boot.img: disk.raw; boot_hybrid.img: exo.iso)",
    })),
  ];
}

export function spdxDocument(input: SbomInput): object {
  // SPDXIDs allow only [A-Za-z0-9.-]: a name that another one already took once sanitised gets a hash of itself appended.
  const given = new Map<string, string>();
  const taken = new Set<string>();
  const id = (kind: string, name: string): string => {
    const key = `${kind}\0${name}`;
    let spdxId = given.get(key);
    if (spdxId === undefined) {
      spdxId = `SPDXRef-${kind}-${name.replace(/[^A-Za-z0-9.-]/g, "-")}`;
      if (taken.has(spdxId)) spdxId = `${spdxId}-${hash("sha256", Buffer.from(key)).slice(0, 12)}`;
      given.set(key, spdxId);
      taken.add(spdxId);
    }
    return spdxId;
  };
  const npmId = (key: string) => id("Package", `npm-${key}`);
  const image = id("Package", `image-${input.system}`);
  const grub = id("Package", "grub");
  const exo = id("Package", "exo");
  const node = id("Package", "node");
  const initrdFile = (path: string) => id("File", `initrd-${path}`);
  const initrdSha1 = new Map(input.initrd.files.map((f) => [f.path, hash("sha1", f.data)]));
  const program = (p: SbomPackage) => (p.file === null ? undefined : input.initrd.files.find((f) => f.path === p.file));
  // One element per package version: two versions of one package may sit side by side.
  const pkgId = (key: string) => id("Package", `pkg-${key}`);
  const keyOf = (p: SbomPackage) => `${p.name}@${p.version}`;
  const packages: object[] = [
    {
      SPDXID: image,
      name: `exo-image-${input.system}`,
      versionInfo: input.configHash.slice(0, 16),
      supplier: "Organization: Exo",
      downloadLocation: "NOASSERTION",
      filesAnalyzed: false,
      primaryPackagePurpose: "OPERATING_SYSTEM",
      comment: `config ${input.configHash}`,
    },
    ...input.files.map((f) => ({
      SPDXID: id("Package", f.path),
      name: f.path,
      versionInfo: input.exoVersion,
      downloadLocation: "NOASSERTION",
      // The initrd is an archive whose every file this document lists; the other files are described whole.
      ...(f.path === input.initrd.path ? { filesAnalyzed: true, packageVerificationCode: verificationCode([...initrdSha1.values()]) } : { filesAnalyzed: false }),
      checksums: sums(f.data),
      primaryPackagePurpose: f.path.endsWith("kernel.elf") ? "OPERATING_SYSTEM" : f.path === input.initrd.path ? "ARCHIVE" : "FILE",
    })),
    ...input.packages.map((p) => {
      const file = program(p);
      return {
        SPDXID: pkgId(keyOf(p)),
        name: p.name,
        versionInfo: p.version,
        downloadLocation: "NOASSERTION",
        ...(file ? { filesAnalyzed: true, packageVerificationCode: verificationCode([initrdSha1.get(file.path)!]) } : { filesAnalyzed: false }),
        licenseConcluded: p.license,
        licenseDeclared: p.license,
        sourceInfo: `built from ${p.sources.map((f) => `${f.path} (SHA256 ${f.sha256})`).join(", ")}`,
        externalRefs: [purlRef(`pkg:generic/exo/${purlPart(p.name)}@${purlPart(p.version)}`)],
        primaryPackagePurpose: file ? "APPLICATION" : "LIBRARY",
      };
    }),
    ...(input.grub === null ? [] : grubPackages(input.grub, grub, id)),
    ...input.tools.map((t) => ({
      SPDXID: id("Package", `tool-${t.name}`),
      name: t.name,
      versionInfo: t.version,
      downloadLocation: "NOASSERTION",
      filesAnalyzed: false,
      checksums: [{ algorithm: "SHA256", checksumValue: t.sha256 }],
      primaryPackagePurpose: "APPLICATION",
    })),
    {
      SPDXID: exo,
      name: "exo",
      versionInfo: input.exoVersion,
      downloadLocation: "NOASSERTION",
      filesAnalyzed: false,
      licenseConcluded: input.runtime.exoLicense,
      licenseDeclared: input.runtime.exoLicense,
      primaryPackagePurpose: "APPLICATION",
      comment: "the generator that built this image; its npm dependencies and Node follow",
    },
    {
      SPDXID: node,
      name: "node",
      versionInfo: input.runtime.node,
      downloadLocation: "NOASSERTION",
      filesAnalyzed: false,
      licenseConcluded: "NOASSERTION",
      licenseDeclared: "MIT",
      externalRefs: [purlRef(`pkg:generic/node@${purlPart(input.runtime.node)}`)],
      primaryPackagePurpose: "APPLICATION",
      comment: "Node.js, by major version only: derivation keys cover the major version, so images built under two minor versions are the same bytes",
    },
    ...input.runtime.npm.map((p) => ({
      SPDXID: npmId(`${p.name}@${p.version}`),
      name: p.name,
      versionInfo: p.version,
      downloadLocation: "NOASSERTION",
      filesAnalyzed: false,
      ...(p.checksum ? { checksums: [p.checksum] } : {}),
      licenseConcluded: p.license,
      licenseDeclared: p.license,
      externalRefs: [purlRef(npmPurl(p.name, p.version))],
      primaryPackagePurpose: "LIBRARY",
    })),
  ];
  const files = [
    ...input.templates.map((t) => ({
      SPDXID: id("File", `kernel-src-${t.path}`),
      fileName: `./kernel-src/${t.path}`,
      checksums: [
        { algorithm: "SHA1", checksumValue: t.sha1 },
        { algorithm: "SHA256", checksumValue: t.sha256 },
      ],
      fileTypes: ["SOURCE"],
    })),
    ...input.initrd.files.map((f) => ({
      SPDXID: initrdFile(f.path),
      fileName: `./${f.path}`,
      checksums: sums(f.data),
      fileTypes: f.path.startsWith("bin/") || f.path.startsWith("exo/apps/") ? ["BINARY", "APPLICATION"] : ["TEXT"],
      comment: `in ${input.initrd.path}`,
    })),
  ];
  const kernel = id("Package", "boot/kernel.elf");
  const rel = (a: string, type: string, b: string) => ({ spdxElementId: a, relationshipType: type, relatedSpdxElement: b });
  const relationships = [
    rel("SPDXRef-DOCUMENT", "DESCRIBES", image),
    ...input.files.map((f) => rel(image, "CONTAINS", id("Package", f.path))),
    ...input.initrd.files.map((f) => rel(id("Package", input.initrd.path), "CONTAINS", initrdFile(f.path))),
    ...input.nested.map((n) => rel(id("Package", n.outer), "CONTAINS", id("Package", n.inner))),
    ...input.packages.map((p) => rel(image, "CONTAINS", pkgId(keyOf(p)))),
    ...input.packages.flatMap((p) => (program(p) ? [rel(pkgId(keyOf(p)), "CONTAINS", initrdFile(p.file!))] : [])),
    // A library's code is inside the programs that link it; a runtime dependency runs beside them.
    ...input.packages.flatMap((p) => p.links.map((lib) => rel(pkgId(keyOf(p)), "STATIC_LINK", pkgId(lib)))),
    ...input.packages.flatMap((p) => p.needs.map((dep) => rel(pkgId(keyOf(p)), "DEPENDS_ON", pkgId(dep)))),
    ...(input.grub?.images ?? []).map((path) => rel(id("Package", path), "GENERATED_FROM", grub)),
    ...(input.grub?.bootSectors ?? []).map((f) => rel(id("Package", `grub-${f.path}`), "GENERATED_FROM", grub)),
    // In the image only when it is made as a raw disk or an ISO, and then as the MBR's code.
    ...(input.grub?.bootSectors ?? []).map((f) => rel(id("Package", `grub-${f.path}`), "OPTIONAL_COMPONENT_OF", image)),
    ...input.templates.map((t) => rel(kernel, "GENERATED_FROM", id("File", `kernel-src-${t.path}`))),
    ...input.tools.map((t) => rel(id("Package", `tool-${t.name}`), "BUILD_TOOL_OF", image)),
    rel(exo, "BUILD_TOOL_OF", image),
    rel(exo, "DEPENDS_ON", node),
    ...input.runtime.dependencies.map((d) => rel(exo, "DEPENDS_ON", npmId(d))),
    ...input.runtime.npm.flatMap((p) => p.dependencies.map((d) => rel(npmId(`${p.name}@${p.version}`), "DEPENDS_ON", npmId(d)))),
  ];
  const ids = [...packages, ...files].map((e) => (e as { SPDXID: string }).SPDXID);
  const seen = new Set<string>();
  for (const spdxId of ids) {
    if (seen.has(spdxId)) throw new Error(`two SBOM elements would both be ${spdxId}`);
    seen.add(spdxId);
  }
  for (const r of relationships) {
    for (const end of [r.spdxElementId, r.relatedSpdxElement]) {
      if (end !== "SPDXRef-DOCUMENT" && !seen.has(end)) throw new Error(`SBOM relationship ${r.relationshipType} names ${end}, which the document does not hold`);
    }
  }
  const body = {
    spdxVersion: "SPDX-2.3",
    dataLicense: "CC0-1.0",
    SPDXID: "SPDXRef-DOCUMENT",
    name: `exo-image-${input.system}`,
    creationInfo: { created: new Date(input.epoch * 1000).toISOString().replace(/\.\d{3}Z$/, "Z"), creators: [`Tool: exo-${input.exoVersion}`] },
    packages,
    files,
    relationships,
  };
  // Everything the document says, hashed: the same content always has the same namespace, other content another.
  const digest = createHash("sha256").update(canonicalJson(body)).digest("hex");
  return { ...body, documentNamespace: `${SPDX_NAMESPACE_BASE}${purlPart(input.system)}/${digest}` };
}

/** The hex digest of the strongest SPDX-named hash in an npm `integrity` string. */
function integrityChecksum(integrity: unknown): Checksum | undefined {
  if (typeof integrity !== "string") return undefined;
  const names = { sha512: "SHA512", sha384: "SHA384", sha256: "SHA256", sha1: "SHA1" } as const;
  for (const algorithm of Object.keys(names) as (keyof typeof names)[]) {
    const found = integrity.split(/\s+/).find((part) => part.startsWith(`${algorithm}-`));
    if (found) return { algorithm: names[algorithm], checksumValue: Buffer.from(found.slice(algorithm.length + 1).split("?")[0]!, "base64").toString("hex") };
  }
  return undefined;
}

/** A package.json `license` as an SPDX license expression, or NOASSERTION (absent, `SEE LICENSE IN …`, `UNLICENSED`, malformed). */
export function spdxLicense(license: unknown): string {
  const text = typeof license === "string" ? license : license && typeof license === "object" && typeof (license as { type?: unknown }).type === "string" ? (license as { type: string }).type : undefined;
  if (!text) return "NOASSERTION";
  const tokens = text.replace(/[()]/g, " $& ").trim().split(/\s+/);
  const word = /^(?:LicenseRef-[A-Za-z0-9.-]+|[A-Za-z0-9][A-Za-z0-9.-]*\+?)$/;
  let depth = 0;
  let expectOperand = true;
  for (const token of tokens) {
    if (token === "(") {
      if (!expectOperand) return "NOASSERTION";
      depth++;
    } else if (token === ")") {
      if (expectOperand || --depth < 0) return "NOASSERTION";
    } else if (token === "AND" || token === "OR" || token === "WITH") {
      if (expectOperand) return "NOASSERTION";
      expectOperand = true;
    } else {
      if (!expectOperand || !word.test(token) || /^(?:UNLICENSED|SEE)$/i.test(token)) return "NOASSERTION";
      expectOperand = false;
    }
  }
  return depth === 0 && !expectOperand ? tokens.join(" ").replace(/\( /g, "(").replace(/ \)/g, ")") : "NOASSERTION";
}

type LockEntry = {
  name?: string;
  version?: string;
  license?: unknown;
  integrity?: string;
  link?: boolean;
  resolved?: string;
  os?: string[];
  cpu?: string[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
};

/** npm's rule for `os` and `cpu`: a list of allowed values, or of `!value`s refused. */
function platformAllows(list: readonly string[] | undefined, value: string): boolean {
  if (!list || list.length === 0) return true;
  if (list.includes(`!${value}`)) return false;
  const allowed = list.filter((v) => !v.startsWith("!"));
  return allowed.length === 0 || allowed.includes(value) || allowed.includes("any");
}

/**
 * The npm packages that take part in a build of the project at `project`: its
 * package.json `dependencies` and theirs, found in package-lock.json as
 * Node resolves them (never devDependencies). Optional packages for another
 * OS or CPU are not installed, so they take no part. Versions come from the
 * lock file; licenses from each installed package.json (the lock file's copy
 * when the package is not installed as locked).
 */
export function npmRuntime(project: string | URL, platform: string = process.platform, arch: string = process.arch): Omit<Runtime, "node"> {
  const root = typeof project === "string" ? project : fileURLToPath(project);
  const readJson = (file: string) => JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  const manifest = readJson(join(root, "package.json")) as { license?: unknown; dependencies?: Record<string, string> };
  const lock = readJson(join(root, "package-lock.json")) as { lockfileVersion?: number; packages?: Record<string, LockEntry> };
  const entries = lock.packages;
  if (!entries || (lock.lockfileVersion ?? 0) < 2) throw new Error(`${join(root, "package-lock.json")} has no "packages" (lockfileVersion 2 or later is needed)`);

  /** The lock path Node would load `dep` from when required at lock path `from`. */
  const resolve = (from: string, dep: string): string | undefined => {
    let base = from;
    for (;;) {
      const candidate = `${base === "" ? "" : `${base}/`}node_modules/${dep}`;
      const entry = entries[candidate];
      if (entry) return entry.link && entry.resolved !== undefined ? entry.resolved : candidate;
      if (base === "") return undefined;
      const up = base.lastIndexOf("/node_modules/");
      base = up < 0 ? "" : base.slice(0, up);
    }
  };
  const nameAt = (path: string) => entries[path]?.name ?? path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length);
  const keyAt = (path: string) => `${nameAt(path)}@${entries[path]!.version}`;

  const found = new Map<string, NpmPackage>();
  const edges = (from: string, entry: { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; peerDependencies?: Record<string, string> }): string[] => {
    const out: string[] = [];
    const deps: [string, boolean][] = [
      ...Object.keys(entry.dependencies ?? {}).map((d): [string, boolean] => [d, false]),
      ...Object.keys(entry.optionalDependencies ?? {}).map((d): [string, boolean] => [d, true]),
      ...Object.keys(entry.peerDependencies ?? {}).map((d): [string, boolean] => [d, true]),
    ];
    for (const [dep, optional] of deps) {
      const path = resolve(from, dep);
      const target = path === undefined ? undefined : entries[path];
      if (!path || !target || target.version === undefined) {
        if (optional) continue;
        throw new Error(`package-lock.json has no ${dep} for ${from || "the project"}; run npm install`);
      }
      if (!platformAllows(target.os, platform) || !platformAllows(target.cpu, arch)) continue;
      const key = keyAt(path);
      if (!out.includes(key)) out.push(key);
      if (!found.has(key)) {
        found.set(key, { name: nameAt(path), version: target.version, license: "NOASSERTION", dependencies: [] }); // placeholder against cycles
        const installed = (() => {
          try {
            return readJson(join(root, path, "package.json"));
          } catch {
            return undefined;
          }
        })();
        const license = installed && installed.version === target.version ? installed.license : target.license;
        const checksum = integrityChecksum(target.integrity);
        found.set(key, { name: nameAt(path), version: target.version, license: spdxLicense(license), ...(checksum ? { checksum } : {}), dependencies: edges(path, target).sort() });
      }
    }
    return out;
  };
  const dependencies = edges("", { dependencies: manifest.dependencies ?? {} }).sort();
  const npm = [...found.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
  return { exoLicense: spdxLicense(manifest.license), dependencies, npm };
}

/** The Debian version in `grub-mkimage --version` ("grub-mkimage (GRUB) 2.06-13+deb12u2"). */
export function grubVersion(toolVersion: string): string {
  return /\(GRUB\)\s+(\S+)/.exec(toolVersion)?.[1] ?? toolVersion.trim().split(/\s+/).pop() ?? "NOASSERTION";
}
