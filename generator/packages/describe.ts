// The package set as `exo search` and `exo show` present it: one record per
// package, the same in text and in JSON (exo.packages/v1).
import type { Manifest } from "../../schemas/manifest.ts";

export interface PackageRecord {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly license: string;
  readonly kind: "program" | "library";
  readonly daemon: boolean;
  /** The whole manifest, every default filled in. */
  readonly manifest: Manifest;
}

export function packageRecord(manifest: Manifest): PackageRecord {
  const { name, version, description, license, kind } = manifest.package;
  return { name, version, description, license, kind, daemon: manifest.services.some((s) => s.daemon), manifest };
}

/** The packages whose name or description holds `word`, without regard to case; every one without a word. Sorted by name, then version. */
export function searchPackages(manifests: readonly Manifest[], word?: string): PackageRecord[] {
  const needle = word?.toLowerCase();
  return manifests
    .filter((m) => needle === undefined || m.package.name.toLowerCase().includes(needle) || m.package.description.toLowerCase().includes(needle))
    .map(packageRecord)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version < b.version ? -1 : 1));
}

/** `exo show`'s text: what the package is, what it needs and what it may do. */
export function showText(r: PackageRecord): string {
  const m = r.manifest;
  const deps = (kind: "build" | "runtime") => Object.entries(m.dependencies[kind]).map(([n, range]) => `${n} ${range}`).join(", ") || "none";
  const sandbox = m.sandbox;
  const lines = [
    `${r.name} ${r.version}: ${r.description}`,
    `  kind: ${r.kind}`,
    `  license: ${r.license}`,
    `  sources: ${programFrom(m)}`,
    ...(m.headers.length ? [`  headers: ${m.headers.join(", ")}`] : []),
    ...(m.links.length ? [`  links: ${m.links.map((l) => `/exo/bin/${l}`).join(", ")} (to /exo/bin/${r.name})`] : []),
    ...(m.data.length ? [`  data: ${m.data.join(", ")} (in /exo/share/${r.name}/)`] : []),
    `  build dependencies: ${deps("build")}`,
    `  runtime dependencies: ${deps("runtime")}`,
    `  sandbox: capabilities ${sandbox.capabilities.join(", ") || "none"}; memory ${sandbox.memoryPages} pages; network ${sandbox.network ? "yes" : "no"}; ipc with ${sandbox.ipc.join(", ") || "none"}`,
    ...(sandbox.filesystem.read.length || sandbox.filesystem.write.length ? [`  files: read ${sandbox.filesystem.read.join(", ") || "none"}; write ${sandbox.filesystem.write.join(", ") || "none"}`] : []),
    `  services: ${m.services.map((s) => `${s.name} (${s.daemon ? "daemon" : "task"}, restart ${s.restart})`).join(", ") || "none"}`,
    `  binary: ${m.binary.strip ? "stripped" : "with symbols"}${m.binary.lto ? ", link-time optimised" : ""}`,
  ];
  return `${lines.join("\n")}\n`;
}

/** Where the program comes from: its sources, a prebuilt file (of the package or of a Debian package) or a script. */
function programFrom(m: Manifest): string {
  if (m.script !== undefined) return `script ${m.script}`;
  if (m.prebuilt?.debian) return `prebuilt ${m.prebuilt.debian.path} of the Debian package ${m.prebuilt.debian.package} (sha256 ${m.prebuilt.sha256})`;
  if (m.prebuilt) return `prebuilt ${m.prebuilt.file} (sha256 ${m.prebuilt.sha256})`;
  return m.sources.join(", ");
}
