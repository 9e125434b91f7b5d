// Flags several commands share, described once: the store, the generations
// folder, the evaluation time limit, and where trust comes from (verify,
// run, sbom; trust-options.ts turns their values into trust options).
import { EVAL_TIMEOUT_DEFAULT_SECONDS } from "../eval/limits.ts";

export const STORE_FLAG = {
  store: { type: "string", value: "DIR", description: "the store (default: exo.config.ts `store`, or $EXO_STORE)" },
} as const;

export const GENERATIONS_FLAG = {
  generations: { type: "string", value: "DIR", description: "where generations are recorded (default: exo.config.ts `generations`, or $EXO_GENERATIONS)" },
} as const;

export const JSON_FLAG = (schema: string) => ({ json: { type: "boolean", description: `a JSON document (schema ${schema})` } }) as const;

export const EVAL_TIMEOUT_FLAG = {
  "eval-timeout": {
    type: "string",
    value: "SECONDS",
    description: `stop evaluating the profile after this many seconds (default: $EXO_EVAL_TIMEOUT, else ${EVAL_TIMEOUT_DEFAULT_SECONDS})`,
  },
} as const;

export const TRUST_FLAGS = {
  trusted: { type: "string", value: "KEY", multiple: true, description: "trust only this public key file (repeatable); default: the project's keys.trusted and /etc/exo/trusted-keys/*.pub" },
  project: { type: "string", value: "DIR", description: "the project whose exo.config.ts names the trusted keys (default: the one above the working folder)" },
  system: { type: "string", value: "NAME", description: "refuse an image built for another system" },
  "min-version": { type: "string", value: "N", description: "refuse an image whose version is below N" },
  "allow-downgrade": { type: "boolean", description: "accept a version below the highest already seen of its system (recorded in exo.config.ts trustState)" },
} as const;
