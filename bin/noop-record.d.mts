// Types of bin/noop-record.mjs, for generator/cli/noop-cache.ts.
export declare const SCHEMA: "exo.noop-cache/v2";
export declare const NEVER: ReadonlySet<string>;

export interface NoopRecord {
  readonly schema: typeof SCHEMA;
  /** The result's store path (absolute). */
  readonly path: string;
  /** How the build printed it (relative to the folder the record belongs to). */
  readonly display: string;
  readonly storeRoot: string;
  readonly link: string | null;
  /** The GC root file that registers the link; null without a link. */
  readonly root: string | null;
  readonly derivations: number;
  readonly stamps: Readonly<Record<string, string>>;
}

export declare function freshRecord(argv: readonly string[]): Promise<NoopRecord | undefined>;
export declare function linkInPlace(record: NoopRecord): Promise<boolean>;
export declare function report(record: NoopRecord): void;
export declare function stampOf(file: string): Promise<string>;
export declare function recordFile(argv: readonly string[]): Promise<string>;
