// Limits on what evaluation reads and how long it runs: a profile is code
// and data from whoever wrote it, so neither its size, its YAML aliases nor
// its loops may take the machine with them.

/** Largest profile or imported module file, checked with stat before it is read. */
export const PROFILE_MAX_BYTES = 4 * 1024 * 1024;

/**
 * Alias expansions a YAML profile may make (the `yaml` package's
 * maxAliasCount): ample for anchors reused by hand, far below what a
 * "billion laughs" document needs.
 */
export const YAML_MAX_ALIAS_COUNT = 100;

/** Seconds evaluation may take before it is stopped, unless --eval-timeout or EXO_EVAL_TIMEOUT says otherwise. */
export const EVAL_TIMEOUT_DEFAULT_SECONDS = 60;

/** Bytes as people read them: "4 MiB", "512 KiB", "300 bytes". */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KiB`;
  return `${n} bytes`;
}
