// The module system against NixOS's own rules: each case cites the part of
// nixpkgs' lib/modules.nix (or the lib/tests/modules.sh line) whose
// behaviour it checks, with the value or error NixOS gives, in both orders
// of imports (rules-harness.ts).
import { API, type Case, ruleTable, ZOD } from "./rules-harness.ts";

// Options of every case: `t.n` int (default 1), `t.s` string ("d"), `t.flag` boolean (false),
// `t.l` list of strings (["d"]), `t.m` map of records { n: int = 0, l: list of strings = [] } ({}).
const DECLS = `import { option } from ${API};
import { z } from ${ZOD};
export default {
  kind: "module", file: import.meta.filename, line: 1,
  options: { t: {
    n: option({ type: z.number().int(), default: 1, description: "n.", example: 2 }),
    s: option({ type: z.string(), default: "d", description: "s.", example: "x" }),
    flag: option({ type: z.boolean(), default: false, description: "flag.", example: true }),
    l: option({ type: z.array(z.string()), default: ["d"], description: "l.", example: ["x"] }),
    m: option({ type: z.record(z.string(), z.object({ n: z.number().int().default(0), l: z.array(z.string()).default([]) }).strict()), default: {}, description: "m.", example: {} }),
  } },
};
`;

const cases: readonly Case[] = [
  // 1. Order must not matter.
  {
    name: "a config function sees the definitions of a config function imported after it",
    rule: "modules.nix evalModules: every module's definitions are collected (mergeModules) before any option is evaluated",
    modules: {
      "a.ts": `config: ({ config }) => ({ t: { n: config.t.flag ? 2 : 3 } })`,
      "b.ts": `config: () => ({ t: { flag: true } })`,
    },
    expect: { values: { "t.n": 2, "t.flag": true }, definitions: { "t.flag": 1, "t.n": 1 } },
  },
  {
    name: "a chain of config functions is evaluated whatever the order",
    rule: "modules.nix evalModules: config is one fixpoint of all modules' definitions",
    modules: {
      "a.ts": `config: ({ config }) => ({ t: { n: config.t.s === "b" ? 2 : 3 } })`,
      "b.ts": `config: ({ config }) => ({ t: { s: config.t.flag ? "b" : "x" } })`,
      "c.ts": `config: () => ({ t: { flag: true } })`,
    },
    expect: { values: { "t.n": 2, "t.s": "b" } },
  },
  {
    name: "a config function reads an option whose conflict a later function's mkForce resolves",
    rule: "modules.nix mergeDefinitions: filterOverrides' runs over the definitions of every module",
    modules: {
      "a.ts": `config: ({ config }) => ({ t: { n: config.t.s === "x" ? 2 : 3 } })`,
      "b.ts": `config: { t: { s: "y" } }`,
      "c.ts": `config: () => ({ t: { s: mkForce("x") } })`,
      "d.ts": `config: { t: { s: "z" } }`,
    },
    expect: { values: { "t.n": 2, "t.s": "x" } },
  },
  {
    name: "two config functions that feed each other are a recursion, in either order",
    rule: "NixOS: infinite recursion encountered (modules.sh:386), reported here as the chain of options",
    modules: {
      "a.ts": `config: ({ config }) => ({ t: { n: config.t.s.length } })`,
      "b.ts": `config: ({ config }) => ({ t: { s: "x".repeat(config.t.n + 1) } })`,
    },
    expect: { code: "ERR_EXO_OPTION_RECURSION", message: /depends on itself/ },
  },
  // 2. Losing definitions are never forced.
  {
    name: "a losing lazy value that throws is never called",
    rule: "modules.nix filterOverrides': getPrio reads def.value.priority, never the content",
    modules: {
      "a.ts": `config: { t: { n: mkDefault(() => { throw new Error("forced a losing definition"); }) } }`,
      "b.ts": `config: { t: { n: 5 } }`,
    },
    expect: { values: { "t.n": 5 } },
  },
  {
    name: "a losing lazy value that would recurse is never called",
    rule: "modules.nix filterOverrides' (values of lower priority are dropped unevaluated)",
    modules: {
      "a.ts": `config: { t: { n: mkDefault((config) => config.t.n + 1) } }`,
      "b.ts": `config: { t: { n: 5 } }`,
    },
    expect: { values: { "t.n": 5 } },
  },
  {
    name: "a lazy value at mkOverride 2000 loses to the default, unevaluated",
    rule: "modules.nix evalOptionValue: the default is the definition mkOptionDefault opt.default (priority 1500)",
    modules: { "a.ts": `config: { t: { n: mkOverride(2000, () => { throw new Error("forced"); }) } }`, "b.ts": `config: {}` },
    expect: { values: { "t.n": 1 } },
  },
  // 3. The default is a definition at priority 1500.
  {
    name: "mkOptionDefault beside a different default conflicts (a string does not merge)",
    rule: "modules.nix mkOptionDefault = mkOverride 1500; types.str merge is mergeEqualOption",
    modules: { "a.ts": `config: { t: { s: mkOptionDefault("x") } }`, "b.ts": `config: {}` },
    expect: { code: "ERR_EXO_OPTION_CONFLICT", message: /option `t\.s` is defined multiple times with different values:\n\s+- in its default, declared in .*decls\.ts:1: "d"\n\s+- in .*a\.ts:\d+: "x"/ },
  },
  {
    name: "mkOptionDefault of the default's own value agrees with it",
    rule: "modules.nix mergeEqualOption: equal values merge",
    modules: { "a.ts": `config: { t: { s: mkOptionDefault("d") } }`, "b.ts": `config: {}` },
    expect: { values: { "t.s": "d" } },
  },
  {
    name: "mkOptionDefault on a list concatenates with the default, the default first",
    rule: "modules.nix evalOptionValue (default prepended to defs); types.listOf merge concatenates",
    modules: { "a.ts": `config: { t: { l: mkOptionDefault(["x"]) } }`, "b.ts": `config: {}` },
    expect: { values: { "t.l": ["d", "x"] } },
  },
  {
    name: "mkOverride 2000 loses to the default",
    rule: "modules.nix filterOverrides' over [mkOptionDefault default] ++ defs: 1500 < 2000",
    modules: { "a.ts": `config: { t: { s: mkOverride(2000, "x"), l: mkOverride(2000, ["x"]) } }`, "b.ts": `config: {}` },
    expect: { values: { "t.s": "d", "t.l": ["d"] } },
  },
  {
    name: "mkOverride 1400 wins over the default",
    rule: "modules.nix filterOverrides': 1400 < 1500",
    modules: { "a.ts": `config: { t: { s: mkOverride(1400, "x") } }`, "b.ts": `config: { t: { s: mkOverride(1450, "y") } }` },
    expect: { values: { "t.s": "x" } },
  },
  // 4. Types are checked per definition, before merging.
  {
    name: "a bare element given to a list option is a type error naming its definition",
    rule: "types.listOf check = isList, per definition (modules.sh:397, a definition not of the type is named with its file)",
    modules: { "a.ts": `config: { t: { l: "x" } }`, "b.ts": `config: { t: { l: ["y"] } }` },
    expect: { code: "ERR_EXO_OPTION_TYPE", message: /option `t\.l` has a wrong value \(defined in .*a\.ts:\d+\)/ },
  },
  {
    name: "a wrong-typed definition among several is a type error, not a conflict",
    rule: "modules.nix mergeDefinitions: all (def: type.check def.value) defsFinal before type.merge (modules.sh:298)",
    modules: { "a.ts": `config: { t: { n: 5 } }`, "b.ts": `config: { t: { n: "five" } }` },
    expect: { code: "ERR_EXO_OPTION_TYPE", message: /option `t\.n` has a wrong value \(defined in .*b\.ts:\d+\).*got "five"/s, notHint: /mkForce/ },
  },
  {
    name: "a wrong element among several list definitions names its definition",
    rule: "types.listOf merge checks each element with the definition's file (modules.nix mergeDefinitions on every element)",
    modules: { "a.ts": `config: { t: { l: ["x"] } }`, "b.ts": `config: { t: { l: ["y", 3] } }` },
    expect: { code: "ERR_EXO_OPTION_TYPE", message: /option `t\.l` at `1` has a wrong value \(defined in .*b\.ts:\d+\).*got 3/s },
  },
  {
    name: "a wrong-typed element of a map of records names its definition",
    rule: "types.attrsOf merge: mergeDefinitions per attribute, each definition checked (modules.sh:222)",
    modules: { "a.ts": `config: { t: { m: { web: { n: 1 } } } }`, "b.ts": `config: { t: { m: { web: { n: "x" } } } }` },
    expect: { code: "ERR_EXO_OPTION_TYPE", message: /option `t\.m` at `web\.n` has a wrong value \(defined in .*b\.ts:\d+\)/ },
  },
  {
    name: "a losing wrong-typed definition is not checked",
    rule: "modules.nix mergeDefinitions checks defsFinal, the definitions filterOverrides kept",
    modules: { "a.ts": `config: { t: { n: mkDefault("x") } }`, "b.ts": `config: { t: { n: 4 } }` },
    expect: { values: { "t.n": 4 } },
  },
  // 5. Markers at every depth.
  {
    name: "mkForce on a field of a record in a map wins over a plain one",
    rule: "modules.sh:328 (attrsOfSub.foo.enable = mkForce ...); attrsOf merge runs mergeDefinitions per attribute",
    modules: { "a.ts": `config: { t: { m: { web: { n: 64, l: ["a"] } } } }`, "b.ts": `config: { t: { m: { web: { n: mkForce(128) } } } }` },
    expect: { values: { "t.m": { web: { n: 128, l: ["a"] } } } },
  },
  {
    name: "YAML !force on a field of a map element",
    rule: "modules.sh:328, the same rule written in YAML",
    modules: { "a.ts": `config: { t: { m: { web: { n: 64 } } } }`, "b.yaml": `t:\n  m:\n    web:\n      n: !force 128\n` },
    expect: { values: { "t.m": { web: { n: 128, l: [] } } } },
  },
  {
    name: "mkDefault on a map element yields to a plain one, key by key",
    rule: "modules.sh:326 (attrsOfSub = mkForce { foo ... } pushed down per attribute); modules.nix pushDownProperties",
    modules: { "a.ts": `config: { t: { m: { web: mkDefault({ n: 1, l: ["a"] }), db: mkDefault({ n: 2 }) } } }`, "b.ts": `config: { t: { m: { web: { n: 3 } } } }` },
    expect: { values: { "t.m": { web: { n: 3, l: [] }, db: { n: 2, l: [] } } } },
  },
  {
    name: "mkIf inside a map: a false condition leaves the key undefined, a lazy one reads the config",
    rule: "modules.sh:343-350 (mkIf at every depth of attrsOfSub); modules.nix dischargeProperties",
    modules: {
      "a.ts": `config: { t: { m: { off: mkIf(false, { n: 1 }), on: mkIf((config) => config.t.flag, { n: 2 }), field: { n: mkIf(false, 9) } } } }`,
      "b.ts": `config: { t: { flag: true } }`,
    },
    expect: { values: { "t.m": { on: { n: 2, l: [] }, field: { n: 0, l: [] } } } },
  },
  {
    name: "mkMerge and mkBefore inside a record field",
    rule: "modules.nix dischargeProperties (mkMerge) and sortProperties (mkOrder) per attribute",
    modules: {
      "a.ts": `config: { t: { m: { web: { l: mkMerge([["a"], mkBefore(["first"])]) } } } }`,
      "b.ts": `config: { t: { m: { web: { l: mkAfter(["b"]) } } } }`,
    },
    expect: { values: { "t.m": { web: { n: 0, l: ["first", "a", "b"] } } } },
  },
  {
    name: "mkIf with a function condition inside a map value is not hashed as data",
    rule: "modules.nix dischargeProperties: a condition is evaluated, never compared",
    modules: {
      "a.ts": `config: { t: { m: { web: { n: mkIf((config) => !config.t.flag, 5) } } } }`,
      "b.ts": `config: { t: { flag: true, m: { web: { n: 7 } } } }`,
    },
    expect: { values: { "t.m": { web: { n: 7, l: [] } } } },
  },
];


ruleTable(cases, DECLS);
