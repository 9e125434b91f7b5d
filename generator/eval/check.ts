// Check one option's merged value against its zod type, and refuse keys
// that cannot be entries; every message names the option, the key and the
// definitions that wrote it.
import type { z } from "zod";
import type { OptionDecl } from "../../schemas/option.ts";
import { ExoError } from "../errors.ts";
import { findBadKey, ownValue } from "./keys.ts";
import { type Defined, where } from "./merge.ts";
import { describeValue, type Site } from "./sites.ts";
import { nearValues } from "./suggest.ts";

/** Check a value with the option's zod type; `sources(key)` names the definitions (of the first key of the issue's path, when given). */
export function check(path: string, decl: OptionDecl, value: unknown, sources: (key?: string) => string, isDefault: boolean): unknown {
  const parsed = decl.type.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  // An unrecognized key is reported where it is: at the key, as any other wrong entry.
  const at = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]!] : issue.path;
  const inner = at.length ? ` at \`${at.join(".")}\`` : "";
  const first = at[0];
  const source = sources(typeof first === "string" ? first : undefined);
  const problem = issueText(issue, value);
  if (isDefault) {
    throw new ExoError("ERR_EXO_OPTION_TYPE", `the default of option \`${path}\`${inner} is invalid (${source}): ${problem}`, "fix the option's declaration");
  }
  throw new ExoError("ERR_EXO_OPTION_TYPE", `option \`${path}\`${inner} has a wrong value (defined in ${source}): ${problem}`, `${decl.description} Example: ${JSON.stringify(decl.example)}`);
}

/** What is wrong, in words: a map key that is not allowed names the key and the rule it breaks. */
function issueText(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code === "invalid_key") {
    const key = String(issue.path.at(-1));
    return `the key ${JSON.stringify(key)} is not allowed: ${issue.issues.map((i) => i.message).join("; ")}`;
  }
  if (issue.code === "unrecognized_keys") {
    return `${issue.keys.length === 1 ? "the key" : "the keys"} ${issue.keys.map((k) => JSON.stringify(k)).join(", ")} ${issue.keys.length === 1 ? "is" : "are"} not among the names this option allows`;
  }
  const got = valueAt(value, issue.path);
  return `${issue.message}; got ${describeValue(got)}${nearValues(issue, got)}`;
}

/** file:line of the winning definitions; of those that define map or record key `key`, when given and some do. */
export function sourcesOf(winners: readonly Defined[], key?: string): string {
  // Not for lists: an index into the merged list is no index into any one definition.
  const defining = key === undefined ? [] : winners.filter((w) => w.value !== null && typeof w.value === "object" && !Array.isArray(w.value) && Object.hasOwn(w.value, key));
  return (defining.length ? defining : winners).map(where).join(", ");
}

/** A definition whose value holds a `__proto__` key is refused where it is written (see keys.ts). */
export function refuseBadKeys(path: string, site: Site, value: unknown): void {
  const bad = findBadKey(value);
  if (!bad) return;
  const at = `\`${path}\` at \`${bad.path.join(".")}\` (defined in ${site.file}:${site.line})`;
  if (bad.reason === "key") {
    throw new ExoError("ERR_EXO_OPTION_TYPE", `option ${at}: \`__proto__\` cannot be a key of an option value`, "rename the entry: `__proto__` is not a valid name in any map of options");
  }
  throw new ExoError(
    "ERR_EXO_OPTION_TYPE",
    `option ${at}: the object's prototype was replaced, as a TypeScript literal \`{ __proto__: ... }\` does, so its \`__proto__\` entry would be lost`,
    "rename the entry: `__proto__` is not a valid name in any map of options",
  );
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const key of path) v = ownValue(v, key);
  return v;
}
