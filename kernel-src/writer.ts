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

export class Writer {
  readonly #lines: string[] = [];
  #depth = 0;

  constructor(readonly unit = "    ") {}

  /** Emit each line (split on `\n`) at the current depth; an empty line stays empty. */
  line(...texts: readonly string[]): this {
    for (const text of texts) {
      for (const l of text.split("\n")) this.#lines.push(l === "" ? "" : this.unit.repeat(this.#depth) + l);
    }
    return this;
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

  /** A C function definition: the signature on its own line, the brace below it. */
  fn(signature: string, body: () => void): this {
    return this.line(signature).block("{", body);
  }

  /** A C comment: one line as `/* text *\/`, more as a block with ` * ` leaders. */
  comment(...texts: readonly string[]): this {
    if (texts.length === 1) return this.line(`/* ${texts[0]} */`);
    return this.line("/*", ...texts.map((t) => (t === "" ? " *" : ` * ${t}`)), " */");
  }

  toString(): string {
    const end = this.#lines.findLastIndex((l) => l !== "");
    return this.#lines.slice(0, end + 1).join("\n") + "\n";
  }
}
