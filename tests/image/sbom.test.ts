// The SBOM of an image: Node and the npm packages that run in a build, GRUB
// and the files it made, the files inside the initrd, a namespace that is
// the content's own, and a document that keeps SPDX 2.3's rules.
//
// No npm package ships the official SPDX 2.3 JSON schema, so `checkSpdx`
// below checks what that schema and the specification require: the fields
// every element must have, the enumerations, the formats of IDs, dates,
// URIs and checksums, and that every relationship joins elements that exist.
import test from "ava";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, open, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GRUB_DIRS } from "../../generator/builders/bootloader.ts";
import { npmPurl, npmRuntime, type SbomInput, spdxDocument, spdxLicense } from "../../generator/image/sbom.ts";
import { unpackTar } from "../../generator/image/tar.ts";
import { canonicalJson } from "../../store/hash.ts";
import { exo, fixture, profile, REPO, tempProject } from "../helpers/exo.ts";

interface Checksum {
  algorithm: string;
  checksumValue: string;
}
interface Package {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  downloadLocation: string;
  filesAnalyzed?: boolean;
  packageVerificationCode?: { packageVerificationCodeValue: string };
  checksums?: Checksum[];
  licenseConcluded?: string;
  licenseDeclared?: string;
  externalRefs?: { referenceCategory: string; referenceType: string; referenceLocator: string }[];
  primaryPackagePurpose?: string;
}
interface File {
  SPDXID: string;
  fileName: string;
  checksums: Checksum[];
  fileTypes?: string[];
}
interface Relationship {
  spdxElementId: string;
  relationshipType: string;
  relatedSpdxElement: string;
}
interface Doc {
  spdxVersion: string;
  dataLicense: string;
  SPDXID: string;
  name: string;
  documentNamespace: string;
  creationInfo: { created: string; creators: string[] };
  packages: Package[];
  files: File[];
  relationships: Relationship[];
}

// ---- SPDX 2.3: what the JSON schema and the specification require ----

const RELATIONSHIP_TYPES = new Set(
  (
    "DESCRIBES DESCRIBED_BY CONTAINS CONTAINED_BY DEPENDS_ON DEPENDENCY_OF DEPENDENCY_MANIFEST_OF BUILD_DEPENDENCY_OF DEV_DEPENDENCY_OF " +
    "OPTIONAL_DEPENDENCY_OF PROVIDED_DEPENDENCY_OF TEST_DEPENDENCY_OF RUNTIME_DEPENDENCY_OF EXAMPLE_OF GENERATES GENERATED_FROM ANCESTOR_OF " +
    "DESCENDANT_OF VARIANT_OF DISTRIBUTION_ARTIFACT_OF PATCH_FOR PATCH_APPLIED COPY_OF FILE_ADDED FILE_DELETED FILE_MODIFIED EXPANDED_FROM_ARCHIVE " +
    "DYNAMIC_LINK STATIC_LINK DATA_FILE_OF TEST_CASE_OF BUILD_TOOL_OF DEV_TOOL_OF TEST_OF TEST_TOOL_OF DOCUMENTATION_OF OPTIONAL_COMPONENT_OF " +
    "METAFILE_OF PACKAGE_OF AMENDS PREREQUISITE_FOR HAS_PREREQUISITE REQUIREMENT_DESCRIPTION_FOR SPECIFICATION_FOR OTHER"
  ).split(" "),
);
/** Hex digits of each checksum algorithm the schema names (those of fixed length that Exo may write). */
const CHECKSUM_HEX: Record<string, number> = { SHA1: 40, SHA224: 56, SHA256: 64, SHA384: 96, SHA512: 128, "SHA3-256": 64, "SHA3-384": 96, "SHA3-512": 128, MD5: 32 };
/** The JSON schema's enumeration: OPERATING_SYSTEM with an underscore (the text of the specification writes a dash). */
const PURPOSES = new Set(["OTHER", "INSTALL", "ARCHIVE", "FIRMWARE", "APPLICATION", "FRAMEWORK", "LIBRARY", "CONTAINER", "SOURCE", "DEVICE", "OPERATING_SYSTEM", "FILE"]);
const FILE_TYPES = new Set(["OTHER", "DOCUMENTATION", "IMAGE", "VIDEO", "ARCHIVE", "SPDX", "APPLICATION", "SOURCE", "BINARY", "TEXT", "AUDIO"]);
const REF_CATEGORIES = new Set(["OTHER", "PERSISTENT-ID", "PERSISTENT_ID", "SECURITY", "PACKAGE-MANAGER", "PACKAGE_MANAGER"]);
const DOC_KEYS = new Set("SPDXID annotations comment creationInfo dataLicense externalDocumentRefs hasExtractedLicensingInfos name revieweds spdxVersion documentNamespace documentDescribes packages files snippets relationships".split(" "));
const PACKAGE_KEYS = new Set(
  "SPDXID annotations attributionTexts builtDate checksums comment copyrightText description downloadLocation externalRefs filesAnalyzed hasFiles homepage licenseComments licenseConcluded licenseDeclared licenseInfoFromFiles name originator packageFileName packageVerificationCode primaryPackagePurpose releaseDate sourceInfo summary supplier validUntilDate versionInfo".split(
    " ",
  ),
);
const FILE_KEYS = new Set("SPDXID annotations artifactOfs attributionTexts checksums comment copyrightText fileContributors fileDependencies fileName fileTypes licenseComments licenseConcluded licenseInfoInFiles noticeText".split(" "));
const SPDX_ID = /^SPDXRef-[A-Za-z0-9.-]+$/;
const LICENSE = /^(NOASSERTION|NONE|\(*(LicenseRef-[A-Za-z0-9.-]+|[A-Za-z0-9][A-Za-z0-9.-]*\+?)( (AND|OR|WITH) \(*(LicenseRef-[A-Za-z0-9.-]+|[A-Za-z0-9][A-Za-z0-9.-]*\+?)\)*)*\)*)$/;

/** Every way the document breaks SPDX 2.3's rules; empty when it keeps them. */
function checkSpdx(doc: Doc): string[] {
  const problems: string[] = [];
  const bad = (what: string) => problems.push(what);
  for (const key of Object.keys(doc)) if (!DOC_KEYS.has(key)) bad(`document: unknown property ${key}`);
  if (doc.spdxVersion !== "SPDX-2.3") bad(`spdxVersion is ${doc.spdxVersion}`);
  if (doc.dataLicense !== "CC0-1.0") bad(`dataLicense is ${doc.dataLicense}`);
  if (doc.SPDXID !== "SPDXRef-DOCUMENT") bad(`the document's SPDXID is ${doc.SPDXID}`);
  if (typeof doc.name !== "string" || doc.name === "") bad("the document has no name");
  // An absolute URI with a scheme and no fragment (SPDX 6.5).
  if (typeof doc.documentNamespace !== "string" || !/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s#]+$/.test(doc.documentNamespace)) bad(`documentNamespace ${doc.documentNamespace} is not an absolute URI without '#'`);
  // YYYY-MM-DDThh:mm:ssZ (SPDX 6.9), and a real date.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(doc.creationInfo?.created ?? "") || Number.isNaN(Date.parse(doc.creationInfo.created))) bad(`creationInfo.created ${doc.creationInfo?.created} is not an ISO date`);
  if (!Array.isArray(doc.creationInfo?.creators) || doc.creationInfo.creators.length === 0) bad("creationInfo has no creators");
  for (const c of doc.creationInfo?.creators ?? []) if (!/^(Person|Organization|Tool): \S/.test(c)) bad(`creator ${c} is not "Person: …", "Organization: …" or "Tool: …"`);

  const elements = new Map<string, "package" | "file">();
  const claim = (spdxId: string, kind: "package" | "file") => {
    if (!SPDX_ID.test(spdxId)) bad(`${spdxId}: not SPDXRef-[A-Za-z0-9.-]+`);
    if (elements.has(spdxId) || spdxId === "SPDXRef-DOCUMENT") bad(`${spdxId}: used twice`);
    elements.set(spdxId, kind);
  };
  const checksums = (owner: string, list: Checksum[] | undefined) => {
    for (const c of list ?? []) {
      const hex = CHECKSUM_HEX[c.algorithm];
      if (hex === undefined) bad(`${owner}: checksum algorithm ${c.algorithm} is not an SPDX name`);
      else if (!new RegExp(`^[0-9a-f]{${hex}}$`).test(c.checksumValue)) bad(`${owner}: ${c.algorithm} ${c.checksumValue} is not ${hex} lower-case hex digits`);
    }
  };
  const license = (owner: string, value: string | undefined) => {
    if (value !== undefined && !LICENSE.test(value)) bad(`${owner}: license ${value} is not an SPDX license expression`);
  };
  for (const p of doc.packages ?? []) {
    for (const key of Object.keys(p)) if (!PACKAGE_KEYS.has(key)) bad(`${p.SPDXID}: unknown package property ${key}`);
    if (typeof p.SPDXID !== "string") bad(`a package has no SPDXID: ${JSON.stringify(p)}`);
    else claim(p.SPDXID, "package");
    if (typeof p.name !== "string" || p.name === "") bad(`${p.SPDXID}: no name`);
    if (typeof p.downloadLocation !== "string" || !/^(NONE|NOASSERTION|[a-z+]+:\S+)$/.test(p.downloadLocation)) bad(`${p.SPDXID}: downloadLocation ${p.downloadLocation}`);
    if (p.filesAnalyzed === false && p.packageVerificationCode) bad(`${p.SPDXID}: a verification code, yet its files were not analyzed`);
    if (p.packageVerificationCode && !/^[0-9a-f]{40}$/.test(p.packageVerificationCode.packageVerificationCodeValue)) bad(`${p.SPDXID}: verification code is not SHA-1 hex`);
    if (p.primaryPackagePurpose !== undefined && !PURPOSES.has(p.primaryPackagePurpose)) bad(`${p.SPDXID}: primaryPackagePurpose ${p.primaryPackagePurpose}`);
    checksums(p.SPDXID, p.checksums);
    license(p.SPDXID, p.licenseConcluded);
    license(p.SPDXID, p.licenseDeclared);
    for (const ref of p.externalRefs ?? []) {
      if (!REF_CATEGORIES.has(ref.referenceCategory)) bad(`${p.SPDXID}: referenceCategory ${ref.referenceCategory}`);
      if (typeof ref.referenceType !== "string" || typeof ref.referenceLocator !== "string" || /\s/.test(ref.referenceLocator)) bad(`${p.SPDXID}: external reference ${JSON.stringify(ref)}`);
      if (ref.referenceType === "purl" && !/^pkg:[a-z][a-z0-9.+-]*\/[^@\s]+@[^\s@]+$/.test(ref.referenceLocator)) bad(`${p.SPDXID}: purl ${ref.referenceLocator}`);
    }
  }
  for (const f of doc.files ?? []) {
    for (const key of Object.keys(f)) if (!FILE_KEYS.has(key)) bad(`${f.SPDXID}: unknown file property ${key}`);
    claim(f.SPDXID, "file");
    if (typeof f.fileName !== "string" || !f.fileName.startsWith("./")) bad(`${f.SPDXID}: fileName ${f.fileName} is not relative ("./…")`);
    if (!f.checksums?.some((c) => c.algorithm === "SHA1")) bad(`${f.SPDXID}: no SHA1 checksum, which SPDX requires of a file`);
    checksums(f.SPDXID, f.checksums);
    for (const type of f.fileTypes ?? []) if (!FILE_TYPES.has(type)) bad(`${f.SPDXID}: file type ${type}`);
  }
  const packages = new Map((doc.packages ?? []).map((p) => [p.SPDXID, p]));
  for (const r of doc.relationships ?? []) {
    if (!RELATIONSHIP_TYPES.has(r.relationshipType)) bad(`relationship type ${r.relationshipType}`);
    for (const end of [r.spdxElementId, r.relatedSpdxElement]) if (end !== "SPDXRef-DOCUMENT" && !elements.has(end)) bad(`${r.relationshipType}: ${end} is not in the document`);
    // SPDX 7.8: a package whose files were not analyzed contains no files.
    if (r.relationshipType === "CONTAINS" && elements.get(r.relatedSpdxElement) === "file" && packages.get(r.spdxElementId)?.filesAnalyzed === false) bad(`${r.spdxElementId} contains a file but says its files were not analyzed`);
  }
  if (!(doc.relationships ?? []).some((r) => r.spdxElementId === "SPDXRef-DOCUMENT" && r.relationshipType === "DESCRIBES")) bad("the document DESCRIBES nothing");
  return problems;
}

// ---- A real build: server.ts in two projects, another system in one ----

const sha = (algorithm: string, data: Uint8Array) => createHash(algorithm).update(data).digest("hex");
const related = (doc: Doc, from: string, type: string) => doc.relationships.filter((r) => r.spdxElementId === from && r.relationshipType === type).map((r) => r.relatedSpdxElement);
const byName = (doc: Doc, name: string) => doc.packages.filter((p) => p.name === name);

interface Built {
  dir: string;
  bytes: Buffer;
  doc: Doc;
}
async function build(file: string, dir?: string, link = "result"): Promise<Built> {
  const project = dir ?? (await tempProject());
  const r = await exo(["build", file, "--out-link", link], { cwd: project });
  if (r.code !== 0) throw new Error(`exo build ${file} failed:\n${r.stderr}`);
  const bytes = await readFile(join(project, link, "sbom.spdx.json"));
  return { dir: project, bytes, doc: JSON.parse(bytes.toString("utf8")) as Doc };
}

let server: Promise<Built> | undefined;
const serverImage = () => (server ??= build(profile("server.ts")));

test("the SBOM keeps SPDX 2.3's rules, and `exo sbom` prints the same bytes as the payload's and the top-level copy", async (t) => {
  const { dir, bytes, doc } = await serverImage();
  t.deepEqual(checkSpdx(doc), []);
  const printed = await exo(["sbom", "result"], { cwd: dir });
  t.is(printed.code, 0, printed.stderr);
  t.is(printed.stdout, bytes.toString("utf8"));
  const bundle = await unpackTar(await readFile(join(dir, "result/bundle.tar")));
  const inside = bundle.entries.find((e) => e.name === "sbom.spdx.json");
  t.truthy(inside);
  t.true(Buffer.from(inside!.data).equals(bytes), "the SBOM beside the containers is the payload's, byte for byte");
});

test("Node is named by its major version, and every npm package of a build by version, license and purl", async (t) => {
  const { doc } = await serverImage();
  const node = byName(doc, "node");
  t.is(node.length, 1);
  t.is(node[0]!.versionInfo, process.versions.node.split(".")[0]);
  t.is(node[0]!.versionInfo, String(Number(node[0]!.versionInfo)), "a major version only");
  t.is(node[0]!.licenseDeclared, "MIT");
  t.deepEqual(node[0]!.externalRefs, [{ referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: `pkg:generic/node@${node[0]!.versionInfo}` }]);

  const lock = JSON.parse(await readFile(join(REPO, "package-lock.json"), "utf8")) as { packages: Record<string, { version: string; integrity?: string }> };
  const exoPackage = byName(doc, "exo")[0]!;
  t.is(exoPackage.licenseDeclared, "MIT");
  t.true(related(doc, exoPackage.SPDXID, "BUILD_TOOL_OF").some((e) => e.startsWith("SPDXRef-Package-image-")));
  t.true(related(doc, exoPackage.SPDXID, "DEPENDS_ON").includes(node[0]!.SPDXID));
  for (const [name, purl] of [
    ["tar-stream", "pkg:npm/tar-stream@"],
    ["zod", "pkg:npm/zod@"],
    ["yaml", "pkg:npm/yaml@"],
    ["@noble/post-quantum", "pkg:npm/%40noble/post-quantum@"],
  ] as const) {
    const locked = lock.packages[`node_modules/${name}`]!;
    const installed = JSON.parse(await readFile(join(REPO, "node_modules", name, "package.json"), "utf8")) as { license?: string };
    const [p, ...more] = byName(doc, name);
    t.is(more.length, 0, name);
    t.is(p?.versionInfo, locked.version, `${name}: the lock file's version`);
    t.is(p?.licenseDeclared, installed.license ?? "NOASSERTION", `${name}: its package.json's license`);
    t.is(p?.licenseConcluded, p?.licenseDeclared);
    t.deepEqual(p?.externalRefs, [{ referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: `${purl}${locked.version}` }]);
    t.is(p?.checksums?.[0]?.checksumValue, Buffer.from(locked.integrity!.slice("sha512-".length), "base64").toString("hex"), `${name}: the tarball's SHA-512 from the lock file`);
    t.true(related(doc, exoPackage.SPDXID, "DEPENDS_ON").includes(p!.SPDXID), `exo depends on ${name}`);
  }
  // Transitive dependencies come along; devDependencies do not.
  const postQuantum = byName(doc, "@noble/post-quantum")[0]!;
  t.true(related(doc, postQuantum.SPDXID, "DEPENDS_ON").includes(byName(doc, "@noble/hashes")[0]!.SPDXID));
  t.true(byName(doc, "streamx").length === 1, "tar-stream's own dependencies");
  for (const dev of ["ava", "typescript", "@types/node"]) t.is(byName(doc, dev).length, 0, `${dev} is a devDependency`);
  for (const p of doc.packages.filter((p) => p.SPDXID.startsWith("SPDXRef-Package-npm-"))) {
    t.regex(p.externalRefs?.[0]?.referenceLocator ?? "", /^pkg:npm\/[^@]+@\d/, p.name);
    t.truthy(p.licenseDeclared, p.name);
  }
});

test("GRUB is a package with its Debian version, and the images and boot sectors made from it name it", async (t) => {
  const { dir, doc } = await serverImage();
  const debian = /\(GRUB\)\s+(\S+)/.exec(execFileSync("grub-mkimage", ["--version"], { encoding: "utf8" }))![1]!;
  const [grub, ...more] = byName(doc, "grub");
  t.is(more.length, 0);
  t.is(grub!.versionInfo, debian);
  t.is(grub!.licenseDeclared, "GPL-3.0-or-later");
  const fromGrub = doc.relationships.filter((r) => r.relationshipType === "GENERATED_FROM" && r.relatedSpdxElement === grub!.SPDXID).map((r) => doc.packages.find((p) => p.SPDXID === r.spdxElementId)!.name);
  t.deepEqual(fromGrub.sort(), ["EFI/BOOT/BOOTX64.EFI", "boot.img", "boot/grub/core.img", "boot/grub/eltorito.img", "boot_hybrid.img"]);
  const efiImage = byName(doc, "efi.img")[0]!;
  t.deepEqual(related(doc, efiImage.SPDXID, "CONTAINS"), [byName(doc, "EFI/BOOT/BOOTX64.EFI")[0]!.SPDXID]);

  // The boot sectors named are GRUB's, and their code is what the raw disk's and the ISO's MBRs hold.
  const image = related(doc, "SPDXRef-DOCUMENT", "DESCRIBES")[0]!;
  for (const [name, container, codeBytes] of [
    ["boot.img", "disk.raw", 0x5c],
    ["boot_hybrid.img", "exo.iso", 0x1b0],
  ] as const) {
    const data = await readFile(join(GRUB_DIRS.bios, name));
    const p = byName(doc, name)[0]!;
    t.is(p.versionInfo, debian);
    t.deepEqual(p.checksums, [
      { algorithm: "SHA1", checksumValue: sha("sha1", data) },
      { algorithm: "SHA256", checksumValue: sha("sha256", data) },
    ]);
    t.true(related(doc, p.SPDXID, "OPTIONAL_COMPONENT_OF").includes(image));
    const mbr = Buffer.alloc(codeBytes);
    const handle = await open(join(dir, "result", container));
    await handle.read(mbr, 0, codeBytes, 0);
    await handle.close();
    t.true(mbr.equals(data.subarray(0, codeBytes)), `${container}'s MBR code is ${name}'s`);
  }
  // Every GRUB image in the payload carries its own hashes.
  for (const path of ["boot/grub/core.img", "boot/grub/eltorito.img", "EFI/BOOT/BOOTX64.EFI"]) t.is(byName(doc, path)[0]!.checksums?.length, 2, path);
});

test("every file in the initrd is an SPDX file with SHA-1 and SHA-256, contained by the initrd", async (t) => {
  const { dir, doc } = await serverImage();
  const initrd = await readFile(join(dir, "result/kernel/boot/initrd.tar"));
  const entries = (await unpackTar(initrd)).entries;
  t.true(entries.some((e) => e.name === "exo/apps/init/0.1.0/bin/init") && entries.some((e) => e.name === "exo/apps/echo-server/0.1.0/bin/echo-server") && entries.some((e) => e.name === "etc/exo/services"));
  t.true(entries.some((e) => e.name === "etc/exo/config.json") && entries.some((e) => e.name === "etc/exo/packages.json"));
  const pkg = byName(doc, "boot/initrd.tar")[0]!;
  t.is(pkg.checksums?.find((c) => c.algorithm === "SHA256")?.checksumValue, sha("sha256", initrd));
  t.is(pkg.filesAnalyzed, true);
  const contained = related(doc, pkg.SPDXID, "CONTAINS");
  t.is(contained.length, entries.length);
  for (const entry of entries) {
    const file = doc.files.find((f) => f.fileName === `./${entry.name}` && contained.includes(f.SPDXID));
    t.truthy(file, entry.name);
    t.deepEqual(file?.checksums, [
      { algorithm: "SHA1", checksumValue: sha("sha1", entry.data) },
      { algorithm: "SHA256", checksumValue: sha("sha256", entry.data) },
    ]);
  }
  const code = sha("sha1", Buffer.from(entries.map((e) => sha("sha1", e.data)).sort().join("")));
  t.is(pkg.packageVerificationCode?.packageVerificationCodeValue, code, "SPDX 7.9's verification code over the initrd's files");
  // A package of the set contains its program.
  const echo = byName(doc, "echo-server")[0]!;
  t.is(echo.versionInfo, "0.1.0");
  t.deepEqual(related(doc, echo.SPDXID, "CONTAINS").map((id) => doc.files.find((f) => f.SPDXID === id)?.fileName), ["./exo/apps/echo-server/0.1.0/bin/echo-server"]);
});

test("the namespace is the content's own: another system has another, the same profile built elsewhere the same", async (t) => {
  const first = await serverImage();
  const [other, again] = await Promise.all([build(fixture("bundle-only.ts"), first.dir, "result-bundle"), build(profile("server.ts"))]);
  t.not(other.doc.documentNamespace, first.doc.documentNamespace);
  t.not(again.dir, first.dir);
  t.is(again.doc.documentNamespace, first.doc.documentNamespace);
  t.true(again.bytes.equals(first.bytes), "the same profile in another project and store gives the same SBOM bytes");
  // The namespace is the SHA-256 of everything else the document says.
  for (const doc of [first.doc, other.doc]) {
    const { documentNamespace, ...rest } = doc;
    t.is(documentNamespace, `https://exo.invalid/spdx/${encodeURIComponent(doc.name.replace(/^exo-image-/, ""))}/${sha("sha256", Buffer.from(canonicalJson(rest)))}`);
    t.deepEqual(checkSpdx(doc), []);
  }
});

// ---- The parts, without a build ----

const blob = (path: string, text: string) => ({ path, data: Buffer.from(text) });
function input(initrd: { path: string; data: Buffer }[]): SbomInput {
  return {
    system: "unit",
    configHash: "c".repeat(64),
    epoch: 315532800,
    exoVersion: "0.1.0",
    files: [blob("boot/kernel.elf", "kernel"), blob("boot/initrd.tar", initrd.map((f) => f.path).join()), blob("boot/grub/core.img", "core")],
    initrd: { path: "boot/initrd.tar", files: initrd },
    templates: [{ path: "core/main.ts", sha256: "a".repeat(64), sha1: "b".repeat(40) }],
    packages: [
      { name: "greet", version: "0.3.4", license: "Apache-2.0", sources: [{ path: "src/greet.c", sha256: "e".repeat(64) }], file: null, links: [], needs: [] },
      { name: "hello", version: "0.1.0", license: "MIT", sources: [{ path: "hello.exopkg", sha256: "f".repeat(64) }, { path: "src/main.c", sha256: "1".repeat(64) }], file: "bin/hello", links: ["greet@0.3.4"], needs: ["echo-server@0.1.0"] },
      { name: "echo-server", version: "0.1.0", license: "MIT", sources: [], file: "bin/echo-server", links: [], needs: [] },
    ],
    tools: [{ name: "clang", version: "clang 14", sha256: "d".repeat(64) }],
    runtime: { exoLicense: "MIT", node: "20", dependencies: ["zod@4.0.0"], npm: [{ name: "zod", version: "4.0.0", license: "MIT", dependencies: [] }] },
    grub: { version: "2.06-13", images: ["boot/grub/core.img"], bootSectors: [blob("boot.img", "mbr")] },
    nested: [],
  };
}

test("spdxDocument: the same input gives the same namespace, one changed byte of an initrd file another", (t) => {
  const files = [blob("bin/hello", "hello"), blob("etc/exo/services", "hello x task\n")];
  const a = spdxDocument(input(files)) as Doc;
  const b = spdxDocument(input(files)) as Doc;
  const c = spdxDocument(input([files[0]!, blob("etc/exo/services", "hello y task\n")])) as Doc;
  t.is(a.documentNamespace, b.documentNamespace);
  t.not(a.documentNamespace, c.documentNamespace);
  t.deepEqual(checkSpdx(a), []);
});

test("spdxDocument: names that sanitise alike still get distinct SPDXIDs", (t) => {
  const doc = spdxDocument(input([blob("bin/a_b", "1"), blob("bin/a-b", "2"), blob("bin/hello", "3")])) as Doc;
  t.deepEqual(checkSpdx(doc), []);
  const ids = doc.files.filter((f) => f.fileName.startsWith("./bin/a")).map((f) => f.SPDXID);
  t.is(new Set(ids).size, 2);
});

test("spdxDocument: each package with its own license, a purl, its source hashes, what it links and what it needs", (t) => {
  const doc = spdxDocument(input([blob("bin/hello", "elf")])) as unknown as Doc;
  t.deepEqual(checkSpdx(doc), []);
  // One element per package version: its id is made from name@version.
  const pkg = (name: string) => doc.packages.find((p) => (p as { name?: string }).name === name && p.SPDXID.startsWith("SPDXRef-Package-pkg-")) as (Record<string, unknown> & { SPDXID: string }) | undefined;
  t.like(pkg("hello"), { name: "hello", versionInfo: "0.1.0", licenseDeclared: "MIT", primaryPackagePurpose: "APPLICATION" });
  t.like(pkg("greet"), { licenseDeclared: "Apache-2.0", licenseConcluded: "Apache-2.0", primaryPackagePurpose: "LIBRARY", filesAnalyzed: false });
  t.deepEqual(pkg("hello")!.externalRefs, [{ referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: "pkg:generic/exo/hello@0.1.0" }]);
  t.is(pkg("hello")!.sourceInfo, `built from hello.exopkg (SHA256 ${"f".repeat(64)}), src/main.c (SHA256 ${"1".repeat(64)})`);
  t.regex(pkg("hello")!.SPDXID, /^SPDXRef-Package-pkg-hello.0\.1\.0$/);
  t.deepEqual(related(doc, pkg("hello")!.SPDXID, "STATIC_LINK"), [pkg("greet")!.SPDXID]);
  t.deepEqual(related(doc, pkg("hello")!.SPDXID, "DEPENDS_ON"), [pkg("echo-server")!.SPDXID]);
});

test("checkSpdx notices what breaks the rules", (t) => {
  const good = spdxDocument(input([blob("bin/hello", "3")])) as Doc;
  const broken = JSON.parse(JSON.stringify(good)) as Doc;
  broken.documentNamespace = "exo.invalid/x#1";
  broken.creationInfo.created = "1980-01-01 00:00";
  broken.packages[0]!.SPDXID = "SPDXRef-not_ok";
  broken.packages[1]!.checksums = [{ algorithm: "SHA-256", checksumValue: "00" }];
  broken.packages[2]!.primaryPackagePurpose = "OPERATING-SYSTEM";
  broken.files[0]!.checksums = broken.files[0]!.checksums.filter((c) => c.algorithm !== "SHA1");
  broken.relationships.push({ spdxElementId: "SPDXRef-nowhere", relationshipType: "CONTAINS", relatedSpdxElement: broken.files[0]!.SPDXID });
  const problems = checkSpdx(broken).join("\n");
  for (const expected of [/documentNamespace/, /created/, /SPDXRef-not_ok: not SPDXRef/, /SHA-256 is not an SPDX name/, /primaryPackagePurpose OPERATING-SYSTEM/, /no SHA1 checksum/, /SPDXRef-nowhere is not in the document/]) {
    t.regex(problems, expected);
  }
});

test("npm packages: the lock file's closure of `dependencies` as Node resolves it, for this platform, never devDependencies", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "exo-npm-"));
  const integrity = `sha512-${Buffer.alloc(64, 7).toString("base64")}`;
  await writeFile(join(dir, "package.json"), JSON.stringify({ name: "p", license: "MIT", dependencies: { a: "^1", "@s/b": "^2" }, devDependencies: { dev: "1" } }));
  await writeFile(
    join(dir, "package-lock.json"),
    JSON.stringify({
      lockfileVersion: 3,
      packages: {
        "": { name: "p", dependencies: { a: "^1", "@s/b": "^2" }, devDependencies: { dev: "1" } },
        "node_modules/a": { version: "1.0.0", license: "MIT", dependencies: { c: "^1" }, optionalDependencies: { "plat-x": "1", "plat-y": "1", gone: "1" } },
        "node_modules/a/node_modules/c": { version: "1.1.0" },
        "node_modules/c": { version: "2.0.0", license: "ISC" },
        "node_modules/@s/b": { version: "2.0.0", integrity, dependencies: { c: "^2" } },
        "node_modules/plat-x": { version: "1.0.0", optional: true, os: ["linux"], cpu: ["x64"] },
        "node_modules/plat-y": { version: "1.0.0", optional: true, os: ["!linux"] },
        "node_modules/dev": { version: "1.0.0", dev: true },
      },
    }),
  );
  // The installed package.json gives the license when it is the locked version.
  await mkdir(join(dir, "node_modules/a"), { recursive: true });
  await writeFile(join(dir, "node_modules/a/package.json"), JSON.stringify({ name: "a", version: "1.0.0", license: "Apache-2.0" }));
  await mkdir(join(dir, "node_modules/@s/b"), { recursive: true });
  await writeFile(join(dir, "node_modules/@s/b/package.json"), JSON.stringify({ name: "@s/b", version: "2.0.0" }));

  const runtime = npmRuntime(dir, "linux", "x64");
  t.is(runtime.exoLicense, "MIT");
  t.deepEqual(runtime.dependencies, ["@s/b@2.0.0", "a@1.0.0"]);
  t.deepEqual(
    runtime.npm.map((p) => [`${p.name}@${p.version}`, p.license, p.dependencies]),
    [
      ["@s/b@2.0.0", "NOASSERTION", ["c@2.0.0"]],
      ["a@1.0.0", "Apache-2.0", ["c@1.1.0", "plat-x@1.0.0"]],
      ["c@1.1.0", "NOASSERTION", []],
      ["c@2.0.0", "ISC", []],
      ["plat-x@1.0.0", "NOASSERTION", []],
    ],
  );
  t.deepEqual(runtime.npm[0]!.checksum, { algorithm: "SHA512", checksumValue: "07".repeat(64) });
  t.deepEqual(
    npmRuntime(dir, "darwin", "arm64").npm.map((p) => p.name),
    ["@s/b", "a", "c", "c", "plat-y"],
  );
});

test("purls percent-encode a scope's @, and licenses that are no SPDX expression become NOASSERTION", (t) => {
  t.is(npmPurl("@noble/post-quantum", "0.7.1"), "pkg:npm/%40noble/post-quantum@0.7.1");
  t.is(npmPurl("zod", "4.6.7"), "pkg:npm/zod@4.6.7");
  t.is(npmPurl("x", "1.0.0+build.1"), "pkg:npm/x@1.0.0%2Bbuild.1");
  t.is(spdxLicense("MIT"), "MIT");
  t.is(spdxLicense("(MIT OR Apache-2.0)"), "(MIT OR Apache-2.0)");
  t.is(spdxLicense({ type: "ISC" }), "ISC");
  for (const bad of [undefined, "", "SEE LICENSE IN LICENSE.md", "UNLICENSED", "Apache 2.0", "MIT AND", ["MIT"]]) t.is(spdxLicense(bad), "NOASSERTION", String(bad));
});
