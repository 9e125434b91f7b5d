// The terminal view of a diff, compact like nvd: one line per change with a
// tag ([U]pdated, [A]dded, [R]emoved), then the size lines. Colour only when
// asked (stdout a TTY and NO_COLOR unset), so pipes get plain text.
import type { Diff, SizeDelta } from "./diff.ts";

const CODES = { U: "33", A: "32", R: "31", "+": "32", "-": "31" } as const;

/** Without `sizes`, the closure and image size lines are left out (a diff of two evaluations has no image). */
export function renderDiff(diff: Diff, labels: { a: string; b: string }, color: boolean, sizes = true): string {
  const tag = (t: keyof typeof CODES) => (color ? `\x1b[${CODES[t]}m[${t}]\x1b[0m` : `[${t}]`);
  const lines = [`<<< ${labels.a}`, `>>> ${labels.b}`];
  if (diff.options.length) lines.push("", "options:");
  for (const o of diff.options) {
    const where = o.newDefinedIn.length ? o.newDefinedIn.join(", ") : "default";
    for (const c of keyByKey(o.path, o.old, o.new)) {
      const line = c.old === undefined ? `${tag("A")} ${c.path}  ${show(c.new)}` : c.new === undefined ? `${tag("R")} ${c.path}  ${show(c.old)}` : `${tag("U")} ${c.path}  ${show(c.old)} → ${show(c.new)}`;
      lines.push(`${line}  (${where})`);
    }
  }
  if (diff.features.on.length + diff.features.off.length) lines.push("", "kernel features:");
  for (const f of diff.features.on) lines.push(`${tag("+")} ${f}`);
  for (const f of diff.features.off) lines.push(`${tag("-")} ${f}`);
  if (diff.packages.length) lines.push("", "packages:");
  for (const p of diff.packages) {
    if (p.change === "added") lines.push(`${tag("A")} package ${p.name} ${p.newVersion ?? "?"}`);
    else if (p.change === "removed") lines.push(`${tag("R")} package ${p.name} ${p.oldVersion ?? "?"}`);
    else if (p.oldVersion !== p.newVersion) lines.push(`${tag("U")} package ${p.name} ${p.oldVersion} → ${p.newVersion}`);
    if (p.change === "changed" && p.oldSandbox !== p.newSandbox) lines.push(`${tag("U")} package ${p.name} sandbox: ${p.oldSandbox} → ${p.newSandbox}`);
  }
  if (diff.imageFiles.length) lines.push("", "image files:");
  for (const f of diff.imageFiles) {
    const t = f.change === "added" ? "A" : f.change === "removed" ? "R" : "U";
    if (f.kind === "generation") {
      lines.push(`${tag(t)} boot menu ${f.path}`);
      continue;
    }
    const sizes = f.change === "changed" ? `${bytes(f.oldSize!)} → ${bytes(f.newSize!)}` : bytes((f.newSize ?? f.oldSize)!);
    lines.push(`${tag(t)} ${f.kind === "format" ? "image " : ""}${f.path}  ${sizes}`);
  }
  if (sizes) lines.push("", `closure size: ${sizeLine(diff.closureSize)}`, `image size:   ${sizeLine(diff.imageSize)}`);
  return `${lines.join("\n")}\n`;
}

/** A map or record shown key by key (recursively), so one changed policy is one line, not the whole map. */
function keyByKey(path: string, old: unknown, now: unknown): { path: string; old: unknown; new: unknown }[] {
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isMap(old) || !isMap(now)) return [{ path, old, new: now }];
  const out: { path: string; old: unknown; new: unknown }[] = [];
  for (const key of [...new Set([...Object.keys(old), ...Object.keys(now)])].sort()) {
    const [a, b] = [Object.hasOwn(old, key) ? old[key] : undefined, Object.hasOwn(now, key) ? now[key] : undefined];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    if (a === undefined || b === undefined) out.push({ path: `${path}.${key}`, old: a, new: b });
    else out.push(...keyByKey(`${path}.${key}`, a, b));
  }
  return out;
}

function show(value: unknown): string {
  return value === null || value === undefined ? "(unset)" : typeof value === "string" ? value : JSON.stringify(value);
}

function bytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`;
}

function sizeLine(d: SizeDelta): string {
  const delta = d.new - d.old;
  return `${bytes(d.old)} → ${bytes(d.new)} (${delta >= 0 ? "+" : "-"}${bytes(Math.abs(delta))})`;
}
