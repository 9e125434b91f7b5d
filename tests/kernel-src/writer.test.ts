// The indentation-aware writer every template emits through.
import test from "ava";
import { alignColumns, c, Writer } from "../../kernel-src/writer.ts";

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

test("the c template removes the shared indentation and the blank first and last lines", (t) => {
  const text = c`
      if (x)
          y();

      z();
  `;
  t.is(text, "if (x)\n    y();\n\nz();");
});

test("the c template keeps C escapes as written and interpolates text and numbers", (t) => {
  const name = "ring";
  t.is(c`kprintf("%s: %d\n", "${name}", ${16});`, 'kprintf("%s: %d\\n", "ring", 16);');
});

test("a value of several lines is indented as the line it starts on, and never sets the indentation", (t) => {
  const rows = ['{ "kill", 17 },', '{ "spawn", 13 },'];
  const text = c`
      static const struct row absent[] = {
          ${rows}
          ${"last\nrow"}
      };
  `;
  t.is(text, 'static const struct row absent[] = {\n    { "kill", 17 },\n    { "spawn", 13 },\n    last\n    row\n};');
});

test("a line of nothing but empty values is left out; other lines with an empty value stay", (t) => {
  const none: string[] = [];
  const text = c`
      a();
      ${""}
      ${none}
      b(${""});
  `;
  t.is(text, "a();\nb();");
});

test("w.c emits the template's lines at the writer's depth", (t) => {
  const w = new Writer();
  w.fn("void f(void)", () =>
    w.c`
        if (x)
            y();
    `,
  );
  t.is(w.toString(), "void f(void)\n{\n    if (x)\n        y();\n}\n");
});
