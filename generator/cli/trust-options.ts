// The options every command that checks an image shares (verify, run,
// sbom): where trust comes from, and what freshness the caller demands.
import { ExoError } from "../errors.ts";
import type { FreshnessRequest } from "../image/accept.ts";
import type { TrustOptions } from "../sign/trust.ts";

export interface TrustValues {
  readonly trusted?: string[];
  readonly project?: string;
  readonly system?: string;
  readonly "min-version"?: string;
  readonly "allow-downgrade"?: boolean;
}

export function trustOptionsOf(values: TrustValues, image: string | undefined, extraKeys: readonly string[] = []): TrustOptions {
  const trusted = [...(values.trusted ?? []), ...extraKeys];
  return {
    ...(trusted.length ? { trusted } : {}),
    ...(values.project !== undefined ? { project: values.project } : {}),
    ...(image !== undefined ? { image } : {}),
  };
}

export function freshnessRequestOf(values: TrustValues): FreshnessRequest {
  const min = values["min-version"];
  if (min !== undefined && !/^\d+$/.test(min)) throw new ExoError("ERR_EXO_USAGE", `option --min-version expects a whole number, got '${min}'`);
  return {
    ...(values.system !== undefined ? { system: values.system } : {}),
    ...(min !== undefined ? { minVersion: Number(min) } : {}),
    allowDowngrade: values["allow-downgrade"] === true,
  };
}
