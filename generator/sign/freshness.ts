// Freshness of a signed image: the system it was built for, its version,
// and its expiry, against what the caller asks (--system, --min-version)
// and what this project has already seen. TUF's rule: the highest version
// seen of each system is remembered (the trust state), and an older one is
// refused unless the caller allows the downgrade explicitly.
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { writeAtomic } from "../../store/store.ts";
import { ExoError } from "../errors.ts";
import { displayPath } from "../eval/paths.ts";

export const TRUST_STATE_SCHEMA = "exo.trust-state/v1";

/** An array, not an object keyed by system: a system named `__proto__` is as ordinary as any other. */
const trustStateSchema = z.strictObject({
  schema: z.literal(TRUST_STATE_SCHEMA),
  systems: z.array(z.strictObject({ system: z.string(), version: z.number().int().min(0) })),
});
type TrustState = z.infer<typeof trustStateSchema>;

export interface FreshnessHead {
  readonly system: string;
  readonly version: number;
  readonly expires: number | null;
}

export interface FreshnessRule {
  /** --system: the system the image must be built for. */
  readonly system?: string;
  /** --min-version: the lowest version accepted. */
  readonly minVersion?: number;
  /** --allow-downgrade: accept a version below the highest seen. */
  readonly allowDowngrade: boolean;
  /** Seconds since 1970: now, for the expiry. */
  readonly now: number;
  /** The trust state file (exo.config.ts trustState). */
  readonly stateFile: string;
}

export type FreshnessProblem = { readonly kind: "system" | "min-version" | "downgrade" | "expired"; readonly message: string };

/** Problems with the image's freshness; none when it may be used. */
export async function checkFreshness(head: FreshnessHead, rule: FreshnessRule): Promise<FreshnessProblem[]> {
  const problems: FreshnessProblem[] = [];
  if (rule.system !== undefined && head.system !== rule.system) {
    problems.push({ kind: "system", message: `the image is built for system '${head.system}', but --system asks for '${rule.system}'` });
  }
  if (rule.minVersion !== undefined && head.version < rule.minVersion) {
    problems.push({ kind: "min-version", message: `version ${head.version} of system '${head.system}' is below --min-version ${rule.minVersion}` });
  }
  const seen = highestSeen(await readState(rule.stateFile), head.system);
  if (!rule.allowDowngrade && seen !== undefined && head.version < seen) {
    problems.push({ kind: "downgrade", message: `version ${head.version} of system '${head.system}' is older than version ${seen}, seen before: a downgrade or a replay` });
  }
  if (head.expires !== null && head.expires <= rule.now) {
    problems.push({ kind: "expired", message: `the image expired at ${new Date(head.expires * 1000).toISOString()}` });
  }
  return problems;
}

/** A hint for the problems found: how to accept what the caller really means to accept. */
export function freshnessHint(problems: readonly FreshnessProblem[]): string | undefined {
  if (problems.some((p) => p.kind === "downgrade")) return "to go back on purpose, pass --allow-downgrade; a newer build carries a higher version (`exo build --version N`, or `exo switch`)";
  if (problems.some((p) => p.kind === "expired")) return "build the image again with a later image.sourceDateEpoch, or a longer image.validForDays";
  return undefined;
}

/** Remember `version` as seen for `system`, unless a higher one already is. Safe against concurrent writers. */
export async function recordVersion(stateFile: string, system: string, version: number): Promise<void> {
  // Re-read after each write: a concurrent writer that replaced the file with a lower version is corrected.
  for (let attempt = 0; attempt < 10; attempt++) {
    const state = await readState(stateFile);
    const seen = highestSeen(state, system);
    if (seen !== undefined && seen >= version) return;
    const systems = [...state.systems.filter((s) => s.system !== system), { system, version }].sort((a, b) => (a.system < b.system ? -1 : a.system > b.system ? 1 : 0));
    await writeAtomic(stateFile, `${JSON.stringify({ schema: TRUST_STATE_SCHEMA, systems }, null, 2)}\n`);
  }
}

function highestSeen(state: TrustState, system: string): number | undefined {
  return state.systems.find((s) => s.system === system)?.version;
}

async function readState(file: string): Promise<TrustState> {
  const text = await readFile(file, "utf8").catch(() => undefined);
  if (text === undefined) return { schema: TRUST_STATE_SCHEMA, systems: [] };
  let parsed;
  try {
    parsed = trustStateSchema.safeParse(JSON.parse(text));
  } catch {
    parsed = undefined;
  }
  // A damaged state must not silently forget what was seen: it is an error, not an empty state.
  if (!parsed?.success) {
    throw new ExoError("ERR_EXO_VERIFY", `the trust state ${displayPath(file)} is not a valid ${TRUST_STATE_SCHEMA} file`, "restore it from a backup; deleting it forgets every version seen, so replays of older images would be accepted again");
  }
  return parsed.data;
}
