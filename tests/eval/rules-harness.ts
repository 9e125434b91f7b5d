// The harness of the module-system rule tables: each case's modules are
// written to a fresh folder beside a declarations file and evaluated with
// its imports in both orders, since the result of NixOS's evaluation never
// depends on the order of `imports`.
import test from "ava";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evaluateProfile, type Evaluation } from "../../generator/eval/index.ts";
import { ExoError } from "../../generator/errors.ts";
import { REPO } from "../helpers/exo.ts";

export const API = JSON.stringify(join(REPO, "generator/api.ts"));
// The fixtures live outside the repository, where `zod` does not resolve by name.
export const ZOD = JSON.stringify(import.meta.resolve("zod"));

/** What a `.ts` case module has in scope: the markers, option types and option evolution. */
const PRELUDE = `import { defineModule, mkAfter, mkBefore, mkDefault, mkForce, mkIf, mkMerge, mkOptionDefault, mkOrder, mkOverride, option, submodule, lines, commas, separatedString, mkRenamedOptionModule, mkAliasOptionModule, mkRemovedOptionModule } from ${API};
import { z } from ${ZOD};
`;

export interface Case {
  readonly name: string;
  /** The nixpkgs rule checked. */
  readonly rule: string;
  /** Module files (name → source); a `.ts` source is the body of `defineModule({ ... })`, with markers, option types and `z` in scope. */
  readonly modules: Readonly<Record<string, string>>;
  /** The expected result: values of options (and warnings), or an error. */
  readonly expect:
    | { readonly values: Readonly<Record<string, unknown>>; readonly definitions?: Readonly<Record<string, number>>; readonly warnings?: readonly RegExp[] }
    | { readonly code: ExoError["code"]; readonly message: RegExp; readonly notHint?: RegExp; readonly hint?: RegExp };
}

let counter = 0;
async function writeCase(c: Case, order: readonly string[], decls: string): Promise<{ dir: string; profile: string }> {
  const dir = await mkdtemp(join(tmpdir(), `exo-nixos-${counter++}-`));
  await writeFile(join(dir, "decls.ts"), decls);
  for (const [name, source] of Object.entries(c.modules)) {
    const text = name.endsWith(".ts") ? `${PRELUDE}export default defineModule({\n  ${source},\n});\n` : source;
    await writeFile(join(dir, name), text);
  }
  const profile = join(dir, "profile.ts");
  await writeFile(profile, `import { defineProfile } from ${API};\nexport default defineProfile({ imports: ${JSON.stringify(["./decls.ts", ...order.map((n) => `./${n}`)])} });\n`);
  return { dir, profile };
}

function valueAt(evaluation: Evaluation, path: string): unknown {
  return path.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], evaluation.config);
}

/** One ava test per case and order of imports; `decls` is the declarations module every case imports first. */
export function ruleTable(cases: readonly Case[], decls: string): void {
  for (const c of cases) {
    const names = Object.keys(c.modules);
    for (const [label, order] of [["in order", names], ["reversed", [...names].reverse()]] as const) {
      test(`${c.name} (${label}) [${c.rule}]`, async (t) => {
        const { dir, profile } = await writeCase(c, order, decls);
        t.teardown(() => rm(dir, { recursive: true, force: true }));
        const result = await evaluateProfile(profile).then(
          (evaluation) => ({ evaluation }),
          (error: unknown) => ({ error }),
        );
        if ("values" in c.expect) {
          if ("error" in result) throw result.error;
          for (const [path, value] of Object.entries(c.expect.values)) t.deepEqual(JSON.parse(JSON.stringify(valueAt(result.evaluation, path))), value, path);
          for (const [path, count] of Object.entries(c.expect.definitions ?? {})) t.is(result.evaluation.options.get(path)!.definitions.length, count, `definitions of ${path}`);
          for (const warning of c.expect.warnings ?? []) t.true(result.evaluation.warnings.some((w) => warning.test(w)), `a warning matching ${warning}: ${JSON.stringify(result.evaluation.warnings)}`);
          if (!c.expect.warnings) t.deepEqual(result.evaluation.warnings, [], "no warnings");
        } else {
          if (!("error" in result)) return t.fail(`expected ${c.expect.code}, got a config`);
          const e = result.error;
          if (!(e instanceof ExoError)) throw e;
          t.is(e.code, c.expect.code, e.message);
          t.regex(e.message, c.expect.message);
          if (c.expect.notHint) t.notRegex(e.hint ?? "", c.expect.notHint);
          if (c.expect.hint) t.regex(e.hint ?? "", c.expect.hint);
        }
      });
    }
  }
}
