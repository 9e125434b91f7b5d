// Accept an image for use: its integrity against its signatures (read.ts),
// by keys from the trust anchors (sign/trust.ts), and its freshness
// (sign/freshness.ts). An accepted image's version is remembered, so an
// older one of the same system is refused from then on.
import { ExoError } from "../errors.ts";
import { type Trust } from "../sign/trust.ts";
import { checkFreshness, freshnessHint, type FreshnessProblem, recordVersion } from "../sign/freshness.ts";
import { checkImage, type CheckOptions, type ImageCheck } from "./read.ts";

export interface FreshnessRequest {
  readonly system?: string;
  readonly minVersion?: number;
  readonly allowDowngrade?: boolean;
}

export interface Acceptance {
  readonly check: ImageCheck;
  readonly freshness: readonly FreshnessProblem[];
  readonly ok: boolean;
}

export async function acceptImage(image: string, trust: Trust, request: FreshnessRequest, opts: CheckOptions): Promise<Acceptance> {
  const check = await checkImage(image, trust.keys, opts);
  const freshness = check.head && check.keyId
    ? await checkFreshness(check.head, {
        ...(request.system !== undefined ? { system: request.system } : {}),
        ...(request.minVersion !== undefined ? { minVersion: request.minVersion } : {}),
        allowDowngrade: request.allowDowngrade === true,
        now: Math.floor(Date.now() / 1000),
        stateFile: trust.project.trustState,
      })
    : [];
  const ok = check.ok && freshness.length === 0;
  if (ok && check.head) await recordVersion(trust.project.trustState, check.head.system, check.head.version);
  return { check, freshness, ok };
}

/** Every problem of a refused image, image-level first, each format's named. */
function refusalLines(a: Acceptance): string[] {
  return [...a.check.problems, ...a.freshness.map((f) => f.message), ...a.check.formats.filter((r) => !r.ok).flatMap((r) => r.problems.map((p) => `${r.format}: ${p}`))];
}

/** What to do about a refused image: the hint every refusal ends with. */
function refusalHint(a: Acceptance): string {
  const all = refusalLines(a).join("\n");
  if (a.freshness.length) return freshnessHint(a.freshness) ?? "check --system and --min-version against the image";
  if (/not among the trusted keys/.test(all)) return "if you trust its signer, name the public key with --trusted KEY or add it to keys.trusted in exo.config.ts";
  if (/missing: the image is unsigned/.test(all)) return "sign it with `exo sign IMAGE` on the machine that holds the key";
  return "the image is not what its signer made: do not use it; build it again, or fetch it again from its source";
}

/** The error for a refused image: `heading`, then every problem, then what to do. */
export function refusal(a: Acceptance, heading: string): ExoError {
  return new ExoError("ERR_EXO_VERIFY", `${heading}:\n${refusalLines(a).map((p) => `  - ${p}`).join("\n")}`, refusalHint(a));
}
