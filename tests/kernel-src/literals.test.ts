// The generated tree keeps one page size and no dead macros: PGSIZE (and
// PGSHIFT) come from the port's include/memlayout.h, so no 4096, 4095, 0xfff
// or page-sized 0x1000 is written anywhere else; and every #define is used
// somewhere in the same render (its .c, .h, .S and .ld files).
import test from "ava";
import { readdirSync, readFileSync } from "node:fs";
import { renderKernel, type GeneratedFile, type KernelTemplateInput } from "../../kernel-src/index.ts";
import { renderUser } from "../../kernel-src/user/index.ts";
import type { Arch } from "../../schemas/system.ts";
import { input } from "./inputs.ts";

/** The arches rendered here; the lead extends it as ports land. */
const ARCHES = ["x86_64", "aarch64", "riscv64"] as const;

/** The configurations each arch is rendered in: defaults, the self-test and bench builds, and a minimal kernel. */
function configurations(arch: Arch): [string, KernelTemplateInput][] {
  return [
    ["default", input({}, { arch })],
    ["selftest", input({ testMode: "selftest" }, { arch })],
    ["bench", input({ testMode: "bench" }, { arch })],
    ["minimal", input({ ipc: { enable: false }, allocator: { threadCacheObjects: 0 }, scheduler: { policy: "round-robin" } }, { arch })],
  ];
}

/** Every tree to check: each arch's kernel in each configuration, and its user SDK. */
function renders(): [string, GeneratedFile[]][] {
  return ARCHES.flatMap((arch) => [
    ...configurations(arch).map(([name, inp]): [string, GeneratedFile[]] => [`${arch} ${name}`, renderKernel(inp)]),
    [`${arch} user`, renderUser(arch)] as [string, GeneratedFile[]],
  ]);
}

export interface Hit {
  readonly path: string;
  readonly line: number;
  readonly template: string;
  readonly text: string;
  readonly why: string;
}

const show = (h: Hit): string => `${h.path}:${h.line} (kernel-src/${h.template}): ${h.why}\n    ${h.text.trim()}`;

/** The files whose text is C, assembly or a linker script. */
const SOURCE = /\.(c|h|S|ld)$/;

/**
 * `text` with comments, and the contents of string and character literals,
 * blanked to spaces: what is left is code, at the same lines and columns.
 */
export function code(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end < 0 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, " ");
      i = stop;
    } else if (ch === "/" && text[i + 1] === "/") {
      for (; i < text.length && text[i] !== "\n"; i++) out += " ";
    } else if (ch === '"' || ch === "'") {
      out += ch;
      for (i++; i < text.length && text[i] !== ch && text[i] !== "\n"; i++) {
        if (text[i] === "\\") (out += " "), i++;
        out += " ";
      }
      if (text[i] === ch) (out += ch), i++;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/** A page-size literal: 4096, 4095, 0xfff or 0x1000 (any case, any integer suffix). */
const PAGE_LITERAL = /\b(4096|4095|0x0*fff|0x0*1000)[uUlL]*\b/gi;
/** The definition of the page size itself: memlayout.h's #define, a linker script's symbol. */
const PAGE_DEFINITION = /^\s*(#\s*define\s+(PGSIZE|PGSHIFT)\b|(PGSIZE|PGSHIFT)\s*=)/;
/** A #define naming some other constant (a flag, an address), which may happen to be 0x1000. */
const NAMED_CONSTANT = /^\s*#\s*define\s+(\w+)/;
/** A tunables row: a #define of an option's value, the option named beside it (kernel.ipc.ringSlots may be 4096 slots). */
const OPTION_VALUE = /^\s*#\s*define\s+\w+\s+\w+\s+\/\* kernel\.\w/;

/**
 * The page-size literals of one file, outside comments and strings, but for
 * the page size's own definition. 4096, 4095 and 0xfff are always the page
 * size (or its mask); 0x1000 is also a flag (AT_EMPTY_PATH) or an address, so
 * it may be the value of a #define of another name. An option's value (a
 * tunables row) is whatever the config says.
 */
export function pageLiterals(file: GeneratedFile): Hit[] {
  if (!SOURCE.test(file.path)) return [];
  const raw = file.text.split("\n");
  return code(file.text)
    .split("\n")
    .flatMap((line, i): Hit[] => {
      if (PAGE_DEFINITION.test(line) || OPTION_VALUE.test(raw[i] ?? "")) return [];
      const named = NAMED_CONSTANT.exec(line)?.[1];
      const found = [...line.matchAll(PAGE_LITERAL)].map((m) => m[0]).filter((lit) => !(/^0x0*1000/i.test(lit) && named !== undefined && !/PAGE|PG/.test(named)));
      return found.map((lit) => ({ path: file.path, line: i + 1, template: file.template, text: raw[i] ?? "", why: `page-size literal ${lit}: use PGSIZE, PGSHIFT or PGSIZE - 1 from memlayout.h` }));
    });
}

export interface UnusedOptions {
  /** Files whose defines are not checked. */
  readonly exempt?: (path: string) => boolean;
  /** Code outside the render whose uses count (for an ABI header: the kernel that answers it, the programs that include it). */
  readonly elsewhere?: readonly GeneratedFile[];
}

/** `#define NAME` (object- or function-like), the name captured. */
const DEFINE = /^\s*#\s*define\s+([A-Za-z_]\w*)/;

/**
 * The #defines of a render that nothing in it uses: a name that appears in no
 * code of any of its files (.c, .h, .S, .ld; comments and strings do not
 * count) but for its own definitions. `#ifdef NAME` counts as a use.
 */
export function unusedDefines(files: readonly GeneratedFile[], { exempt = () => false, elsewhere = [] }: UnusedOptions = {}): Hit[] {
  const uses = new Map<string, number>();
  const defines: Hit[] = [];
  for (const f of [...files, ...elsewhere].filter((f) => SOURCE.test(f.path))) {
    const checked = files.includes(f) && !exempt(f.path);
    const raw = f.text.split("\n");
    code(f.text)
      .split("\n")
      .forEach((line, i) => {
        const def = DEFINE.exec(line);
        // The name in its own definition is not a use; everything after it (another macro's name) is.
        const rest = def ? line.slice(def.index + def[0].length) : line;
        for (const m of rest.matchAll(/[A-Za-z_]\w*/g)) uses.set(m[0], (uses.get(m[0]) ?? 0) + 1);
        if (def && checked) defines.push({ path: f.path, line: i + 1, template: f.template, text: raw[i] ?? "", why: `#define ${def[1]} is used nowhere` });
      });
  }
  return defines.filter((d) => (uses.get(/#\s*define\s+(\w+)/.exec(d.text)![1]!) ?? 0) === 0);
}

/**
 * include/param.h is the index of every tunable, included by no file by design
 * (render.test.ts holds that): its rows document option values that each
 * subsystem's header repeats, or that are written inline.
 */
const isIndex = (path: string): boolean => path === "include/param.h";

test("the detectors find a planted page-size literal and a planted unused define", (t) => {
  const f = (path: string, text: string): GeneratedFile => ({ path, text, template: "core/planted.ts" });
  const planted = f("core/a.c", ["/* 4096 in a comment is fine */", '#include "x.h"', "static char buf[4096];", "int f(long v) { return (v & 0xFFFUL) == 0 && v != 4095; }", 'const char *s = "4096";'].join("\n"));
  t.deepEqual(
    pageLiterals(planted).map((h) => [h.line, h.template, h.why.split(":")[0]]),
    [
      [3, "core/planted.ts", "page-size literal 4096"],
      [4, "core/planted.ts", "page-size literal 0xFFFUL"],
      [4, "core/planted.ts", "page-size literal 4095"],
    ],
  );
  t.deepEqual(pageLiterals(f("arch/x/linker.ld", "PGSIZE = 4096;\n. = ALIGN(0x1000);\n")).map((h) => h.line), [2]);
  t.deepEqual(pageLiterals(f("include/memlayout.h", "#define PGSHIFT 12\n#define PGSIZE 4096\n#define AT_EMPTY_PATH 0x1000\n#define PAGE 0x1000\n")).map((h) => h.line), [4]);
  t.deepEqual(pageLiterals(f("arch/x/boot.S", "    .skip 4096\n")).map((h) => h.line), [1]);
  t.deepEqual(pageLiterals(f("include/ipc_param.h", "#define EXO_IPC_RING_SLOTS 4096 /* kernel.ipc.ringSlots */\n#define RING_BYTES 4096 /* bytes */\n")).map((h) => h.line), [2]);
  t.deepEqual(pageLiterals(f("README.md", "4096")), []);

  const tree = [
    f("include/x.h", "#pragma once\n#define USED 1\n#define USED_IN_ASM 2\n#define UNUSED(x) ((x) + USED)\n#define ONLY_IN_COMMENT 3\n#define GUARDED 4\n"),
    f("core/a.c", '#include "x.h"\n/* ONLY_IN_COMMENT */\nint a = USED;\nconst char *s = "UNUSED";\n#ifdef GUARDED\n#endif\n'),
    f("arch/x/a.S", "    mov $USED_IN_ASM, %eax\n"),
  ];
  t.deepEqual(
    unusedDefines(tree).map((h) => [h.path, h.line, h.why]),
    [
      ["include/x.h", 4, "#define UNUSED is used nowhere"],
      ["include/x.h", 5, "#define ONLY_IN_COMMENT is used nowhere"],
    ],
  );
  t.deepEqual(unusedDefines(tree, { exempt: (p) => p === "include/x.h" }), []);
  t.deepEqual(unusedDefines(tree, { elsewhere: [f("pkgs/p/main.c", "int u = UNUSED(1);")] }).map((h) => h.line), [5]);
});

test("no page-size literal outside memlayout.h's PGSIZE (and the linker scripts' copy of it)", (t) => {
  const hits = renders().flatMap(([name, files]) => files.flatMap(pageLiterals).map((h) => `[${name}] ${show(h)}`));
  t.deepEqual(hits, [], hits.join("\n"));
});

/** The C of the packages (pkgs/<name>/src/), which build against the user SDK's exo.h. */
function packageSources(): GeneratedFile[] {
  const root = new URL("../../pkgs/", import.meta.url);
  return readdirSync(root, { recursive: true, encoding: "utf8" })
    .filter((p) => /\/src\/.*\.[ch]$/.test(p))
    .sort()
    .map((p) => ({ path: `pkgs/${p}`, text: readFileSync(new URL(p, root), "utf8"), template: "(package)" }));
}

test("every #define is used in the render that defines it", (t) => {
  const hits = ARCHES.flatMap((arch) => [
    ...configurations(arch).flatMap(([name, inp]) => unusedDefines(renderKernel(inp), { exempt: isIndex }).map((h) => `[${arch} ${name}] ${show(h)}`)),
    // exo.h is an ABI: a define in it is used when the kernel answers with it (an errno) or a package names it.
    ...unusedDefines(renderUser(arch), { elsewhere: [...renderKernel(input({}, { arch })), ...packageSources()] }).map((h) => `[${arch} user] ${show(h)}`),
  ]);
  t.deepEqual(hits, [], hits.join("\n"));
});

test("the port's memlayout.h defines PGSHIFT and PGSIZE, for C and for assembly", (t) => {
  for (const arch of ARCHES) {
    const memlayout = renderKernel(input({}, { arch })).find((f) => f.path === "include/memlayout.h");
    t.truthy(memlayout, arch);
    t.regex(memlayout?.text ?? "", /^#define PGSHIFT +\d+/m, arch);
    t.regex(memlayout?.text ?? "", /^#define PGSIZE +\(1UL << PGSHIFT\)/m, arch);
    t.regex(memlayout?.text ?? "", /^#define PGSIZE +\(1 << PGSHIFT\)/m, arch);
  }
});
