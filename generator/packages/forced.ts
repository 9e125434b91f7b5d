// Whether a profile said mkForce (priority 50 or stronger) at or above a
// place inside an option's definitions, e.g. `packages.set.<attr>.sandbox`:
// the one way to grant a package more than its manifest asks without a
// warning. Read from the definitions as written, markers and all.
import { markerKind, PRIORITY } from "../eval/markers.ts";
import type { Evaluation } from "../eval/index.ts";

type Forced = (option: string, keys: readonly string[]) => boolean;

export function forcedIn(evaluation: Pick<Evaluation, "options">): Forced {
  return (option, keys) => (evaluation.options.get(option)?.definitions ?? []).some((d) => d.active && (d.priority <= PRIORITY.force || forcedBelow(d.value, keys)));
}

function forcedBelow(value: unknown, keys: readonly string[]): boolean {
  switch (markerKind(value)) {
    case "override": {
      const { priority, content } = value as { priority: number; content: unknown };
      return priority <= PRIORITY.force || forcedBelow(content, keys);
    }
    case "merge":
      return (value as { contents: unknown[] }).contents.some((c) => forcedBelow(c, keys));
    case "if":
    case "order":
      return forcedBelow((value as { content: unknown }).content, keys);
  }
  if (keys.length === 0 || typeof value !== "object" || value === null || !Object.hasOwn(value, keys[0]!)) return false;
  return forcedBelow((value as Record<string, unknown>)[keys[0]!], keys.slice(1));
}
