// definePackage: a package's manifest written in TypeScript (package.ts),
// checked against the same schema as an `.exopkg` file.
import type { ManifestInput } from "../../schemas/manifest.ts";
import { callSite } from "../eval/module.ts";

export interface PackageDefinition {
  readonly kind: "package";
  readonly manifest: ManifestInput;
  /** Where definePackage was called: errors name this file and line. */
  readonly file: string;
  readonly line: number;
}

export function definePackage(manifest: ManifestInput): PackageDefinition {
  return { kind: "package", manifest, ...callSite([import.meta.filename]) };
}

export function isPackageDefinition(value: unknown): value is PackageDefinition {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "package";
}
