// bench/results.md's table, updated by rows: a row of the same name is
// replaced where it stands, a new one is added at the end of the table.

interface TableRow {
  readonly name: string;
  readonly value: string;
  readonly note: string;
}

export function mergeRows(markdown: string, rows: readonly TableRow[]): string {
  const lines = markdown.split("\n");
  const line = (r: TableRow) => `| ${r.name} | ${r.value} | ${r.note} |`;
  const nameOf = (l: string) => /^\| (.+?) \| /.exec(l)?.[1];
  const pending = new Map(rows.map((r) => [r.name, r]));
  const out = lines.map((l) => {
    const row = pending.get(nameOf(l) ?? "");
    if (!row) return l;
    pending.delete(row.name);
    return line(row);
  });
  let last = out.map((l) => l.startsWith("|")).lastIndexOf(true);
  if (last < 0) {
    out.push("| benchmark | value | note |", "|---|---|---|");
    last = out.length - 1;
  }
  out.splice(last + 1, 0, ...[...pending.values()].map(line));
  return out.join("\n");
}
