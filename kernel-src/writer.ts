// An indentation-aware line writer: templates say what to emit, the writer
// keeps the layout (indentation, blank lines, aligned columns) consistent.

/** Pad every column but the last to its widest cell, so `#define` tables line up. */
export function alignColumns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  }
  return rows.map((row) =>
    row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join(" ").trimEnd(),
  );
}

/** Widest a comment line may be, indentation included, before comment() wraps it. */
const COMMENT_WIDTH = 100;

/** Split text at spaces into lines of at most width characters (a longer word keeps a line of its own). */
function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let cur = "";
  for (const word of text.split(" ")) {
    if (cur !== "" && cur.length + 1 + word.length > width) {
      lines.push(cur);
      cur = word;
    } else {
      cur = cur === "" ? word : `${cur} ${word}`;
    }
  }
  return [...lines, cur];
}

/** What a `c` template may interpolate: text, a number, or lines (joined by newlines). */
export type CValue = string | number | readonly string[];

/** One line of a `c` template: its literal pieces and, between them, the interpolated values. */
type CLine = (string | { readonly value: string })[];

const leadingSpace = (s: string): string => /^[ \t]*/.exec(s)?.[0] ?? "";
const isSpace = (p: CLine[number]): boolean => typeof p === "string" && p.trim() === "";

/**
 * C written as it will look: the tagged template `c\`...\`` removes the
 * indentation its lines share and a blank first and last line, so a template
 * can indent its C with the TypeScript around it. The text is taken raw (as
 * String.raw does), so C escapes such as `"\n"` are written as in C. An
 * interpolated value of several lines (a string with newlines, or an array of
 * lines) has its later lines indented as the line it starts on; a line that
 * holds nothing but values that are all empty is left out, so a value can be
 * an optional section of its own.
 */
export function c(strings: TemplateStringsArray, ...values: readonly CValue[]): string {
  const lines: CLine[] = [[]];
  strings.raw.forEach((raw, i) => {
    raw.split("\n").forEach((piece, j) => {
      if (j > 0) lines.push([]);
      lines[lines.length - 1]!.push(piece);
    });
    const v = values[i];
    if (v !== undefined) lines[lines.length - 1]!.push({ value: typeof v === "object" ? v.join("\n") : String(v) });
  });
  if (lines.length > 1 && lines[0]!.every(isSpace)) lines.shift();
  if (lines.length > 1 && lines[lines.length - 1]!.every(isSpace)) lines.pop();
  // Only the template's own text sets the indentation to remove, never what is interpolated.
  const written = lines.filter((l) => !l.every(isSpace));
  const common = Math.min(...written.map((l) => (typeof l[0] === "string" ? leadingSpace(l[0]).length : 0)));
  const out: string[] = [];
  for (const line of lines) {
    const hasValue = line.some((p) => typeof p !== "string");
    if (hasValue && line.every((p) => (typeof p === "string" ? p.trim() === "" : p.value === ""))) continue;
    let text = "";
    line.forEach((p, i) => {
      if (typeof p === "string") {
        text += i === 0 ? p.slice(common) : p;
      } else {
        const indent = leadingSpace(text);
        text += p.value.split("\n").map((l, k) => (k === 0 || l === "" ? l : indent + l)).join("\n");
      }
    });
    out.push(...text.split("\n").map((l) => l.trimEnd()));
  }
  return out.join("\n");
}

/** Column limit of kernel-src/.clang-format: a trailing comment is not moved past it. */
const COLUMN_LIMIT = 180;

/** Where a line's code ends and its trailing comment starts (`/* ... *\/` or `//` closing the line), or undefined when it has none. */
function trailingComment(line: string): number | undefined {
  let quote = "";
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote !== "") {
      if (ch === "\\") i++;
      else if (ch === quote) quote = "";
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "/" && (line[i + 1] === "*" || line[i + 1] === "/")) {
      if (line.slice(0, i).trim() === "") return undefined;
      if (line[i + 1] === "/") return i;
      const end = line.indexOf("*/", i + 2);
      return end === line.length - 2 ? i : undefined;
    }
  }
  return undefined;
}

/**
 * C text with its columns aligned as kernel-src/.clang-format aligns them, so
 * that templates need not count spaces: the values of consecutive `#define`
 * lines (AlignConsecutiveMacros), then the trailing comments of consecutive
 * lines that each have one (AlignTrailingComments). Block comments and regions
 * between clang-format off and on comments are left as they are.
 */
export function alignC(text: string): string {
  const lines = text.split("\n");
  // Lines that are code (not inside a block comment or an off region).
  const code: boolean[] = [];
  let inComment = false;
  let off = false;
  for (const line of lines) {
    const t = line.trim();
    if (t === "/* clang-format off */" || t === "// clang-format off") off = true;
    let comment = true;
    if (inComment) inComment = !t.includes("*/");
    else if (t.startsWith("/*")) inComment = !t.includes("*/");
    else comment = t.startsWith("//");
    code.push(!comment && !off);
    if (t === "/* clang-format on */" || t === "// clang-format on") off = false;
  }
  // #define values: a run of `#define NAME VALUE` lines, the values one column after the longest name.
  const define = /^(\s*#define [A-Za-z_]\w*(?:\([^)]*\))?) +(\S.*)$/;
  for (let i = 0; i < lines.length; ) {
    let j = i;
    while (j < lines.length && code[j] && define.test(lines[j]!) && !lines[j]!.endsWith("\\")) j++;
    if (j === i) {
      i++;
      continue;
    }
    const rows = lines.slice(i, j).map((l) => define.exec(l)!);
    const width = Math.max(...rows.map((m) => m[1]!.length));
    rows.forEach((m, k) => (lines[i + k] = `${m[1]!.padEnd(width)} ${m[2]}`));
    i = j;
  }
  // Trailing comments: a run of consecutive lines with one, each comment one column after the longest code, unless that would pass the column limit.
  let run: { line: number; at: number }[] = [];
  let min = 0;
  let max = Infinity;
  const flush = () => {
    for (const { line, at } of run) {
      const l = lines[line]!;
      lines[line] = `${l.slice(0, at).trimEnd().padEnd(min - 1)} ${l.slice(at)}`;
    }
    run = [];
    min = 0;
    max = Infinity;
  };
  lines.forEach((l, i) => {
    const at = code[i] ? trailingComment(l) : undefined;
    if (at === undefined) return flush();
    const lineMin = l.slice(0, at).trimEnd().length + 1;
    const comment = l.length - at;
    const lineMax = lineMin + comment <= COLUMN_LIMIT ? COLUMN_LIMIT - comment : lineMin;
    if (run.length > 0 && (lineMin > max || lineMax < min)) flush();
    run.push({ line: i, at });
    min = Math.max(min, lineMin);
    max = Math.min(max, lineMax);
  });
  flush();
  return lines.join("\n");
}

/** `body` cut after each `;` outside parentheses, brackets and strings: its statements, trimmed. */
function statements(body: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = "";
  let cur = "";
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    cur += ch;
    if (quote !== "") {
      if (ch === "\\") cur += body[++i] ?? "";
      else if (ch === quote) quote = "";
    } else if (ch === '"' || ch === "'") quote = ch;
    else if ("([".includes(ch)) depth++;
    else if (")]".includes(ch)) depth--;
    else if (ch === ";" && depth === 0) {
      out.push(cur.trim());
      cur = "";
    }
  }
  if (cur.trim() !== "") out.push(cur.trim());
  return out;
}

/**
 * A C function written on one line, `signature { a; b; }`, laid out as the
 * generated C is (kernel-src/.clang-format, Linux braces): the signature, the
 * brace on a line of its own, one statement a line. A line that is not such a
 * function (or whose body opens a block) comes back as it is.
 */
export function functionLines(line: string, unit = "    "): string[] {
  const m = /^(\s*)([^{;]*\))\s*\{ (.*) \}$/.exec(line);
  if (m === null || m[3]!.includes("{")) return [line];
  const [, indent, signature, body] = m as unknown as [string, string, string, string];
  return [indent + signature, `${indent}{`, ...statements(body).map((s) => indent + unit + s), `${indent}}`];
}

/** A line the C style (kernel-src/.clang-format) puts in the first column: a preprocessor directive, or a goto label alone on its line (`out:`, not a switch's `default:`). */
const firstColumn = (l: string): boolean => l.startsWith("#") || (/^[A-Za-z_]\w*:$/.test(l) && l !== "default:");

export class Writer {
  readonly #lines: string[] = [];
  #depth = 0;

  constructor(readonly unit = "    ") {}

  /**
   * Emit each line (split on `\n`) at the current depth; an empty line stays
   * empty, and a preprocessor directive or a goto label (`out:`) goes to the
   * first column, where the C style (kernel-src/.clang-format) puts it.
   */
  line(...texts: readonly string[]): this {
    for (const text of texts) {
      for (const l of text.split("\n")) this.#lines.push(l === "" || firstColumn(l) ? l : this.unit.repeat(this.#depth) + l);
    }
    return this;
  }

  /** Emit C written with the `c` tagged template's rules, at the current depth: `w.c\`...\``. */
  c(strings: TemplateStringsArray, ...values: readonly CValue[]): this {
    return this.line(c(strings, ...values));
  }

  /** One blank line, never two in a row and never at the start, so optional sections can each ask for one. */
  blank(): this {
    if (this.#lines.length > 0 && this.#lines[this.#lines.length - 1] !== "") this.#lines.push("");
    return this;
  }

  /** Run `body` one level deeper. */
  indent(body: () => void): this {
    this.#depth++;
    try {
      body();
    } finally {
      this.#depth--;
    }
    return this;
  }

  /** `head` (which opens the brace itself, e.g. `for (;;) {`), the indented body, then `close`. */
  block(head: string, body: () => void, close = "}"): this {
    return this.line(head).indent(body).line(close);
  }

  /**
   * A table laid out in aligned columns (alignColumns), one entry a line: `body`
   * between clang-format off and on comments, since clang-format would pack or
   * unalign it (kernel-src/.clang-format holds the rest of the C).
   */
  table(body: () => void): this {
    this.line("/* clang-format off */");
    body();
    return this.line("/* clang-format on */");
  }

  /** A C function definition: the signature on its own line, the brace below it. */
  fn(signature: string, body: () => void): this {
    return this.line(signature).block("{", body);
  }

  /**
   * A C comment: one short line as `/* text *\/`, more as a block with ` * `
   * leaders. A line too long for COMMENT_WIDTH columns is wrapped at spaces.
   */
  comment(...texts: readonly string[]): this {
    const room = COMMENT_WIDTH - this.unit.length * this.#depth;
    if (texts.length === 1 && (texts[0] ?? "").length + 6 <= room) return this.line(`/* ${texts[0]} */`);
    const lines = texts.flatMap((t) => (t.length + 3 <= room ? [t] : wrapWords(t, room - 3)));
    return this.line("/*", ...lines.map((t) => (t === "" ? " *" : ` * ${t}`)), " */");
  }

  toString(): string {
    const end = this.#lines.findLastIndex((l) => l !== "");
    return this.#lines.slice(0, end + 1).join("\n") + "\n";
  }
}
