// "Did you mean" suggestions. A name is near another when, compared without
// regard to case, one becomes the other with few edits (insert, delete,
// replace, or swap two neighbouring letters: optimal string alignment), or
// when one is a plain truncation of the other (`sched` for `scheduler`,
// `slots` for `ringSlots`). Option paths are corrected one segment at a time,
// each against the names that exist at its level.

/** Edits allowed for a word: one per three letters, at least 1 and at most 3. */
export function maxEdits(word: string): number {
  return Math.min(3, Math.max(1, Math.floor(word.length / 3)));
}

/**
 * Optimal string alignment distance (Damerau-Levenshtein where a swap of two
 * neighbours counts as one edit), case-sensitive. With `cap`, any result above
 * it may be returned as `cap + 1`.
 */
export function editDistance(a: string, b: string, cap = Infinity): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let least = i;
    for (let j = 1; j <= b.length; j++) {
      const same = a[i - 1] === b[j - 1];
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (same ? 0 : 1));
      if (i > 1 && j > 1 && !same && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      row[j] = d;
      if (d < least) least = d;
    }
    if (least > cap) return cap + 1;
    before = prev;
    prev = row;
  }
  return Math.min(prev[b.length]!, cap + 1);
}

/** Where a new word starts in `name` at index `i`: after `-`, `_`, `.` or a space, or at a capital after a small letter or digit. */
function startsWord(name: string, i: number): boolean {
  if (i <= 0 || i >= name.length) return i === 0;
  const prev = name[i - 1]!;
  const here = name[i]!;
  if (/[-_. ]/.test(prev)) return true;
  return /[A-Z]/.test(here) && /[a-z0-9]/.test(prev);
}

/** Whether one name is the other cut short: a prefix, or a suffix that starts a word (`slots` of `ringSlots`). */
function isTruncation(word: string, candidate: string): boolean {
  const [short, long] = word.length < candidate.length ? [word, candidate] : [candidate, word];
  if (short.length < 3 || short.length === long.length) return false;
  const s = short.toLowerCase();
  const l = long.toLowerCase();
  // A prefix the user typed (`sched`) needs nothing more; a candidate that is a prefix of what was typed
  // (`ringSlotsMax` → `ringSlots`) must end where a word of it ends.
  if (l.startsWith(s) && (short === word || startsWord(long, s.length))) return true;
  return l.endsWith(s) && startsWord(long, l.length - s.length);
}

/**
 * How far `candidate` is from `word`, or undefined when it is too far to
 * suggest: the edit distance, case aside, up to `maxEdits(word)` (and short of
 * replacing every letter); a truncation ranks after every edit that is allowed.
 */
export function nearness(word: string, candidate: string): number | undefined {
  const a = word.toLowerCase();
  const b = candidate.toLowerCase();
  if (a === b) return 0;
  const cap = maxEdits(word);
  const d = editDistance(a, b, cap);
  if (d <= cap && d < Math.max(a.length, b.length)) return d;
  if (isTruncation(word, candidate)) return cap + 1;
  return undefined;
}

interface Ranked {
  readonly name: string;
  readonly d: number;
}

const byDistanceThenName = (x: Ranked, y: Ranked): number => x.d - y.d || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0);

function ranked(word: string, candidates: Iterable<string>): Ranked[] {
  const out: Ranked[] = [];
  for (const name of new Set(candidates)) {
    const d = nearness(word, name);
    if (d !== undefined) out.push({ name, d });
  }
  return out.sort(byDistanceThenName);
}

/** The names near `word`, nearest first (then by name), at most `most`. */
export function suggest(word: string, candidates: Iterable<string>, most = 3): string[] {
  return ranked(word, candidates)
    .slice(0, most)
    .map(({ name }) => name);
}

/** The names under a dotted prefix ("" for the top), or undefined where there is nothing below. */
export type ChildrenOf = (prefix: string) => Iterable<string> | undefined;

const join = (prefix: string, name: string): string => (prefix ? `${prefix}.${name}` : name);
const lastSegment = (path: string): string => path.slice(path.lastIndexOf(".") + 1);

/**
 * Paths near `path`, correcting each segment against the names that exist at
 * its level (`kernel.ipx.rngSlots` → `kernel.ipc.ringSlots`); a path whose
 * segments all exist is not suggested. When no segment-wise correction exists
 * and `elsewhere` is given, paths among those whose last segment is near the
 * last one (`kernel.ringSlots` → `kernel.ipc.ringSlots`). Sorted by the sum of
 * the segments' distances, then by path; at most `most`.
 */
export function suggestPath(path: string | readonly string[], childrenOf: ChildrenOf, elsewhere?: Iterable<string>, most = 3): string[] {
  const segments = typeof path === "string" ? path.split(".") : [...path];
  const given = segments.join(".");
  const found: Ranked[] = [];
  let budget = 10_000; // paths tried: a guard against wide, deep trees
  const walk = (prefix: string, i: number, d: number): void => {
    if (budget-- <= 0) return;
    if (i === segments.length) {
      found.push({ name: prefix, d });
      return;
    }
    const children = childrenOf(prefix);
    if (!children) return;
    for (const { name, d: step } of ranked(segments[i]!, children)) walk(join(prefix, name), i + 1, d + step);
  };
  walk("", 0, 0);
  let guesses = found.filter((g) => g.name !== given).sort(byDistanceThenName);
  if (guesses.length === 0 && elsewhere) {
    const last = segments[segments.length - 1]!;
    guesses = [...new Set(elsewhere)]
      .filter((k) => k !== "" && k !== given)
      .flatMap((k) => {
        const d = nearness(last, lastSegment(k));
        return d === undefined ? [] : [{ name: k, d, whole: editDistance(given.toLowerCase(), k.toLowerCase()) }];
      })
      .sort((x, y) => x.d - y.d || x.whole - y.whole || byDistanceThenName(x, y));
  }
  return [...new Set(guesses.map((g) => g.name))].slice(0, most);
}

/** The children of each prefix of dotted `paths` (every path and its prefixes are known). */
export function childrenOfPaths(paths: Iterable<string>): { childrenOf: ChildrenOf; all: string[] } {
  const children = new Map<string, Set<string>>([["", new Set()]]);
  for (const path of paths) {
    let prefix = "";
    for (const name of path.split(".")) {
      children.get(prefix)!.add(name);
      prefix = join(prefix, name);
      if (!children.has(prefix)) children.set(prefix, new Set());
    }
  }
  return { childrenOf: (prefix) => children.get(prefix), all: [...children.keys()].filter((k) => k !== "") };
}

/** Option paths (and sets of options) near `path`, among the dotted option paths `known`. */
export function suggestOptionPath(path: string | readonly string[], known: Iterable<string>, most = 3): string[] {
  const { childrenOf, all } = childrenOfPaths(known);
  return suggestPath(path, childrenOf, all, most);
}

/** The hint for a list of guesses: "did you mean `a`, `b`?", or `otherwise` when there are none. */
export function didYouMean(guesses: readonly string[], otherwise: string): string {
  return guesses.length ? `did you mean ${guesses.map((g) => `\`${g}\``).join(", ")}?` : otherwise;
}

/** For a value not among an enum's (a package name, an arch): the allowed values near it, as "; did you mean ...?", or nothing. */
export function nearValues(issue: { readonly code: string; readonly values?: readonly unknown[] }, got: unknown): string {
  if (issue.code !== "invalid_value" || typeof got !== "string" || !issue.values) return "";
  const near = suggest(got, issue.values.filter((v): v is string => typeof v === "string"));
  return near.length ? `; did you mean ${near.map((v) => JSON.stringify(v)).join(" or ")}?` : "";
}
