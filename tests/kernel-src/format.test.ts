// The generated C is formatted: every .c and .h file of the rendered trees is
// a fixed point of clang-format under the checked-in kernel-src/.clang-format
// (the templates write it that way; nothing formats the output afterwards).
import test from "ava";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderKernel, type GeneratedFile, type KernelTemplateInput } from "../../kernel-src/index.ts";
import { renderUser } from "../../kernel-src/user/index.ts";
import { alignC, functionLines } from "../../kernel-src/writer.ts";
import type { Arch } from "../../schemas/system.ts";
import { input } from "./inputs.ts";

/** The arches rendered here; the lead extends it as ports land. */
const ARCHES = ["x86_64", "aarch64", "riscv64"] as const;

const STYLE = fileURLToPath(new URL("../../kernel-src/.clang-format", import.meta.url));

/** The configurations each arch is rendered in: defaults, the self-test and bench builds, and a minimal kernel. */
function configurations(arch: Arch): KernelTemplateInput[] {
  return [
    input({}, { arch }),
    input({ testMode: "selftest" }, { arch }),
    input({ testMode: "bench" }, { arch }),
    input({ ipc: { enable: false }, allocator: { threadCacheObjects: 0 }, scheduler: { policy: "round-robin" } }, { arch }),
  ];
}

/** Every distinct .c and .h file of every render (a file the same in two configurations is checked once), with a name saying which tree it is from. */
function cFiles(): { name: string; file: GeneratedFile }[] {
  const seen = new Set<string>();
  const out: { name: string; file: GeneratedFile }[] = [];
  for (const arch of ARCHES) {
    const trees: [string, GeneratedFile[]][] = [...configurations(arch).map((inp): [string, GeneratedFile[]] => [`${arch}/kernel`, renderKernel(inp)]), [`${arch}/user`, renderUser(arch)]];
    for (const [tree, files] of trees) {
      for (const file of files.filter((f) => /\.[ch]$/.test(f.path))) {
        const key = `${tree}/${file.path}\0${file.text}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ name: `${tree}/${file.path}`, file });
      }
    }
  }
  return out;
}

/** The first lines where `want` (clang-format's) differs from `got` (the template's), as a short unified-ish excerpt. */
export function firstDifference(got: string, want: string, context = 6): string {
  const a = got.split("\n");
  const b = want.split("\n");
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (i === a.length && i === b.length) return "";
  // Find where the two agree again (at most 40 lines on), to show only the changed stretch.
  let ea = a.length;
  let eb = b.length;
  search: for (let k = 1; k < 40; k++) {
    for (let j = 0; j <= k; j++) {
      if (i + j < a.length && i + k - j < b.length && a[i + j] === b[i + k - j] && a[i + j] !== "") {
        ea = i + j;
        eb = i + k - j;
        break search;
      }
    }
  }
  const show = (lines: string[], from: number, to: number, mark: string) => lines.slice(from, Math.min(to, from + context)).map((l) => `${mark} ${l}`);
  return [`line ${i + 1}:`, ...show(a, i, ea, "-"), ...show(b, i, eb, "+")].join("\n");
}

function clangFormat(): string | undefined {
  const r = spawnSync("clang-format", ["--version"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

const MISSING = "clang-format is not installed: `bash scripts/setup.sh` installs it (CI installs it)";

/** `text` as clang-format writes it under the checked-in style, for a file named `name`. */
function formatted(text: string, name: string): string {
  const r = spawnSync("clang-format", [`--style=file:${STYLE}`, `--assume-filename=${name}`], { input: text, encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

test("firstDifference shows the first changed lines, or nothing when equal", (t) => {
  t.is(firstDifference("a\nb\nc\n", "a\nb\nc\n"), "");
  t.is(firstDifference("int a;\n(void)x; (void)y;\nint b;\n", "int a;\n(void)x;\n(void)y;\nint b;\n"), "line 2:\n- (void)x; (void)y;\n+ (void)x;\n+ (void)y;");
});

test("the check is real: clang-format under the checked-in style changes C that is not formatted", (t) => {
  if (clangFormat() === undefined) return t.fail(MISSING);
  const bad = "int f(int a, int b)\n{\n    (void)a; (void)b;\n    struct { int x; } s = {1};\n    return s.x;\n}\n";
  t.not(firstDifference(bad, formatted(bad, "planted.c")), "");
  const good = "int f(int a, int b)\n{\n    (void)a;\n    (void)b;\n    return 0;\n}\n";
  t.is(firstDifference(good, formatted(good, "planted.c")), "");
});

test("the writer's alignment and one-line functions are what clang-format makes of them", (t) => {
  if (clangFormat() === undefined) return t.fail(MISSING);
  const text = [
    "#define A 1 /* one */",
    "#define LONGER(x) (x) /* two */",
    "#define CHECK(c)      \\",
    "    do {              \\",
    "        if (!(c))     \\",
    "            return 1; \\",
    "    } while (0)",
    "int a; /* three */",
    "long int bb; /* four */",
    "/* a comment line ends a run */",
    "char c; /* five */",
    "",
    ...functionLines("static inline int g(int x) { (void)x; return f(x, 1); }"),
    "",
  ].join("\n");
  const aligned = alignC(text);
  t.is(firstDifference(aligned, formatted(aligned, "aligned.h")), "");
  t.deepEqual(aligned.split("\n").slice(0, 11), [
    "#define A         1   /* one */",
    "#define LONGER(x) (x) /* two */",
    "#define CHECK(c)      \\",
    "    do {              \\",
    "        if (!(c))     \\",
    "            return 1; \\",
    "    } while (0)",
    "int a;       /* three */",
    "long int bb; /* four */",
    "/* a comment line ends a run */",
    "char c; /* five */",
  ]);
});

test("every generated .c and .h file is formatted as kernel-src/.clang-format says", (t) => {
  const version = clangFormat();
  if (version === undefined) return t.fail(MISSING);
  const files = cFiles();
  t.true(files.length > 50, `${files.length} files`);
  const dir = mkdtempSync(join(tmpdir(), "exo-format-"));
  try {
    copyFileSync(STYLE, join(dir, ".clang-format"));
    const paths = files.map((f, i) => {
      // One folder per file: the same path comes from several configurations.
      const p = join(dir, String(i), f.file.path);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, f.file.text);
      return p;
    });
    const r = spawnSync("clang-format", ["-i", `--style=file:${join(dir, ".clang-format")}`, ...paths], { encoding: "utf8" });
    t.is(r.status, 0, r.stderr);
    const bad = files.flatMap((f, i) => {
      const diff = firstDifference(f.file.text, readFileSync(paths[i]!, "utf8"));
      return diff === "" ? [] : [`${f.name} (kernel-src/${f.file.template}) is not formatted (${version}):\n${diff}`];
    });
    t.deepEqual(bad, [], bad.join("\n\n"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
