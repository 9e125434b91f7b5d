// Types of bin/compiled.mjs, for the benchmarks and tests.
export declare const MANIFEST_SCHEMA: "exo.dist/v1";
export declare const ROOT: URL;
export declare const DIST: URL;

export interface DistManifest {
  readonly schema: typeof MANIFEST_SCHEMA;
  /** The Node major the tree was compiled under. */
  readonly node: string;
  /** Every compiled source, relative to the root, sorted. */
  readonly sources: readonly string[];
  /** Each source's and each build input's `size:mtimeMs:ino` before tsc read it. */
  readonly stamps: Readonly<Record<string, string>>;
}

export declare function stampSync(file: string): string;
export declare function freshDist(): Promise<DistManifest | undefined>;
