// The indentation-aware writer every template emits through.
import test from "ava";
import { alignColumns, Writer } from "../../kernel-src/writer.ts";

test("indent and block nest lines by the indent unit", (t) => {
  const w = new Writer();
  w.fn("void f(void)", () => w.block("for (;;) {", () => w.line("x();")));
  t.is(w.toString(), "void f(void)\n{\n    for (;;) {\n        x();\n    }\n}\n");
});

test("blank never doubles, never leads and never trails", (t) => {
  const w = new Writer();
  w.blank().line("a").blank().blank().line("b").blank();
  t.is(w.toString(), "a\n\nb\n");
});

test("a one-line comment stays on one line; more become a block", (t) => {
  t.is(new Writer().comment("why").toString(), "/* why */\n");
  t.is(new Writer().comment("one", "two").toString(), "/*\n * one\n * two\n */\n");
});

test("alignColumns pads all but the last column and leaves no trailing space", (t) => {
  t.deepEqual(alignColumns([["#define", "A", "1"], ["#define", "LONGER", ""]]), ["#define A      1", "#define LONGER"]);
});

test("a comment too long for one line is wrapped into a block at spaces", (t) => {
  const long = "word ".repeat(30).trim();
  const text = new Writer().comment(long).toString();
  const lines = text.trimEnd().split("\n");
  t.is(lines[0], "/*");
  t.is(lines.at(-1), " */");
  t.true(lines.every((l) => l.length <= 100));
  t.is(lines.slice(1, -1).map((l) => l.slice(3)).join(" "), long);
});
