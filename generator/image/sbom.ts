// The software bill of materials of an image: an SPDX 2.3 JSON document
// listing what the image is made of (kernel, initrd, bootloader, packages
// with versions) and what made it (the kernel templates, each with its
// hashes, and the toolchain). Deterministic: the creation time is the
// image's SOURCE_DATE_EPOCH and the namespace comes from the config hash.
import { createHash } from "node:crypto";

export interface SbomInput {
  readonly system: string;
  readonly configHash: string;
  readonly epoch: number;
  readonly exoVersion: string;
  /** Files the image carries (its manifest's files, bar the SBOM itself). */
  readonly files: readonly { readonly path: string; readonly data: Uint8Array }[];
  readonly templates: readonly { readonly path: string; readonly sha256: string; readonly sha1: string }[];
  readonly packages: readonly { readonly name: string; readonly version: string }[];
  readonly tools: readonly { readonly name: string; readonly version: string; readonly sha256: string }[];
}

export const SBOM_FILE = "sbom.spdx.json";

const id = (kind: string, name: string) => `SPDXRef-${kind}-${name.replace(/[^A-Za-z0-9.-]/g, "-")}`;
const hash = (algorithm: "sha1" | "sha256", data: Uint8Array) => createHash(algorithm).update(data).digest("hex");

export function spdxDocument(input: SbomInput): object {
  const image = id("Package", `image-${input.system}`);
  const packages = [
    {
      SPDXID: image,
      name: `exo-image-${input.system}`,
      versionInfo: input.configHash.slice(0, 16),
      supplier: "Organization: Exo",
      downloadLocation: "NOASSERTION",
      filesAnalyzed: false,
      primaryPackagePurpose: "OPERATING-SYSTEM",
      comment: `config ${input.configHash}`,
    },
    ...input.files.map((f) => ({
      SPDXID: id("Package", f.path),
      name: f.path,
      versionInfo: input.exoVersion,
      downloadLocation: "NOASSERTION",
      filesAnalyzed: false,
      checksums: [
        { algorithm: "SHA1", checksumValue: hash("sha1", f.data) },
        { algorithm: "SHA256", checksumValue: hash("sha256", f.data) },
      ],
      primaryPackagePurpose: f.path.endsWith("kernel.elf") ? "OPERATING-SYSTEM" : "FILE",
    })),
    ...input.packages.map((p) => ({
      SPDXID: id("Package", `pkg-${p.name}`),
      name: p.name,
      versionInfo: p.version,
      downloadLocation: "NOASSERTION",
      filesAnalyzed: false,
      primaryPackagePurpose: "APPLICATION",
    })),
    ...input.tools.map((t) => ({
      SPDXID: id("Package", `tool-${t.name}`),
      name: t.name,
      versionInfo: t.version,
      downloadLocation: "NOASSERTION",
      filesAnalyzed: false,
      checksums: [{ algorithm: "SHA256", checksumValue: t.sha256 }],
      primaryPackagePurpose: "APPLICATION",
    })),
  ];
  const files = input.templates.map((t) => ({
    SPDXID: id("File", `kernel-src-${t.path}`),
    fileName: `./kernel-src/${t.path}`,
    checksums: [
      { algorithm: "SHA1", checksumValue: t.sha1 },
      { algorithm: "SHA256", checksumValue: t.sha256 },
    ],
    fileTypes: ["SOURCE"],
  }));
  const kernel = id("Package", "boot/kernel.elf");
  const relationships = [
    { spdxElementId: "SPDXRef-DOCUMENT", relationshipType: "DESCRIBES", relatedSpdxElement: image },
    ...input.files.map((f) => ({ spdxElementId: image, relationshipType: "CONTAINS", relatedSpdxElement: id("Package", f.path) })),
    ...input.packages.map((p) => ({ spdxElementId: image, relationshipType: "CONTAINS", relatedSpdxElement: id("Package", `pkg-${p.name}`) })),
    ...input.templates.map((t) => ({ spdxElementId: kernel, relationshipType: "GENERATED_FROM", relatedSpdxElement: id("File", `kernel-src-${t.path}`) })),
    ...input.tools.map((t) => ({ spdxElementId: id("Package", `tool-${t.name}`), relationshipType: "BUILD_TOOL_OF", relatedSpdxElement: image })),
  ];
  return {
    spdxVersion: "SPDX-2.3",
    dataLicense: "CC0-1.0",
    SPDXID: "SPDXRef-DOCUMENT",
    name: `exo-image-${input.system}`,
    documentNamespace: `https://exo.invalid/spdx/${input.system}/${input.configHash}`,
    creationInfo: { created: new Date(input.epoch * 1000).toISOString().replace(/\.\d{3}Z$/, "Z"), creators: [`Tool: exo-${input.exoVersion}`] },
    packages,
    files,
    relationships,
  };
}
