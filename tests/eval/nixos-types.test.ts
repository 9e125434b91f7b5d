// The module system against NixOS's rules, part 2: submodules, merging
// types (lines, either, anything, freeform), defaults and apply, option
// introspection and evolution, disabledModules. Each case cites the part of
// nixpkgs' lib/ (modules.nix, types.nix, or the lib/tests/modules.sh line)
// whose behaviour it checks, with the value or error NixOS gives there; each
// runs with its imports in both orders (rules-harness.ts).
import { API, type Case, ruleTable, ZOD } from "./rules-harness.ts";

// `u.sites`: map of submodules { port = 80, root = "/srv/<name>", tags = [] } whose config adds the tag
// `site:<name>` and suggests port 8000 (mkDefault); `u.list`: list of submodules { n = 1 };
// `u.text`: lines; `u.maybe`: nullable list; `u.any`: anything; `u.either`: int or list of strings;
// `u.settings`: submodule { port = 1 } with a freeformType; `u.base` = 21 and `u.computed` = base * 2;
// `u.applied`: a string upper-cased by apply; `u.n` int (1), `u.s` string ("d").
const DECLS = `import { option, submodule, lines } from ${API};
import { z } from ${ZOD};
export default {
  kind: "module", file: import.meta.filename, line: 1,
  options: { u: {
    sites: option({ type: z.record(z.string(), submodule({
      options: {
        port: option({ type: z.number().int(), default: 80, description: "port.", example: 1 }),
        root: option({ type: z.string(), default: ({ name }) => "/srv/" + name, description: "root.", example: "/x" }),
        tags: option({ type: z.array(z.string()), default: [], description: "tags.", example: [] }),
      },
      config: ({ name }) => ({ tags: ["site:" + name], port: { _type: "override", priority: 1000, content: 8000 } }),
    })), default: {}, description: "sites.", example: {} }),
    list: option({ type: z.array(submodule({ options: { n: option({ type: z.number().int(), default: 1, description: "n.", example: 2 }) } })), default: [], description: "list.", example: [] }),
    text: option({ type: lines(), default: "", description: "text.", example: "x" }),
    maybe: option({ type: z.array(z.string()).nullable(), default: null, description: "maybe.", example: [] }),
    any: option({ type: z.unknown(), default: null, description: "any.", example: 1 }),
    either: option({ type: z.union([z.number().int(), z.array(z.string())]), default: 0, description: "either.", example: 1 }),
    settings: option({ type: submodule({ options: { port: option({ type: z.number().int(), default: 1, description: "port.", example: 2 }) }, freeformType: z.unknown() }), default: {}, description: "settings.", example: {} }),
    base: option({ type: z.number().int(), default: 21, description: "base.", example: 1 }),
    computed: option({ type: z.number().int(), default: ({ config }) => config.u.base * 2, description: "computed.", example: 1 }),
    applied: option({ type: z.string(), default: "x", description: "applied.", example: "y", apply: (v) => v.toUpperCase() }),
    n: option({ type: z.number().int(), default: 1, description: "n.", example: 2 }),
    s: option({ type: z.string(), default: "d", description: "s.", example: "x" }),
  } },
};
`;

const site = (name: string, extra: object = {}) => ({ port: 8000, root: `/srv/${name}`, tags: [`site:${name}`], ...extra });

const cases: readonly Case[] = [
  // Submodules.
  {
    name: "a submodule element takes its options' defaults, one computed from its name, and the submodule's config",
    rule: "types.nix submoduleWith: each attribute is evalModules with `name` as a module argument (modules.sh: attrsOf submodule `config.submodule.<name>`)",
    modules: { "a.ts": `config: { u: { sites: { web: {}, db: { tags: ["main"] } } } }` },
    expect: { values: { "u.sites": { db: site("db", { tags: ["site:db", "main"] }), web: site("web") } } },
  },
  {
    name: "the definitions of one element from several modules merge option by option, markers inside apply",
    rule: "types.nix attrsOf submodule: the definitions of an attribute are the modules of its submodule (modules.sh:326 mkForce inside attrsOfSub)",
    modules: { "a.ts": `config: { u: { sites: { web: { port: mkForce(1), root: "/a" } } } }`, "b.ts": `config: { u: { sites: { web: { port: 2 } } } }` },
    expect: { values: { "u.sites.web": site("web", { port: 1, root: "/a" }) } },
  },
  {
    name: "a plain definition beats the submodule's mkDefault, which beats the option's default",
    rule: "modules.nix filterOverrides inside a submodule: 100 < 1000 (mkDefault) < 1500 (default)",
    modules: { "a.ts": `config: { u: { sites: { web: { port: 9 }, db: {} } } }` },
    expect: { values: { "u.sites.web.port": 9, "u.sites.db.port": 8000 } },
  },
  {
    name: "mkDefault on a whole element yields to a plain element of the same name",
    rule: "types.nix attrsOf: mkOverride pushed down per attribute (modules.nix pushDownProperties)",
    modules: { "a.ts": `config: { u: { sites: { web: mkDefault({ port: 1, root: "/a" }) } } }`, "b.ts": `config: { u: { sites: { web: { port: 2 } } } }` },
    expect: { values: { "u.sites.web": site("web", { port: 2 }) } },
  },
  {
    name: "an unknown option inside an element names its whole path and the option beside it",
    rule: "modules.nix: The option `sites.web.prot' does not exist (modules.sh:84, checkUnmatched inside a submodule)",
    modules: { "a.ts": `config: { u: { sites: { web: { prot: 1 } } } }` },
    expect: { code: "ERR_EXO_OPTION_UNKNOWN", message: /a\.ts:\d+: option `u\.sites\.web\.prot` does not exist/, hint: /`u\.sites\.web\.port`/ },
  },
  {
    name: "a wrong-typed option inside an element names its whole path and its definition",
    rule: "types.nix submodule: the element's options are checked per definition (modules.sh:222)",
    modules: { "a.ts": `config: { u: { sites: { web: { port: 1 } } } }`, "b.ts": `config: { u: { sites: { web: { port: "x" } } } }` },
    expect: { code: "ERR_EXO_OPTION_TYPE", message: /option `u\.sites\.web\.port` has a wrong value \(defined in .*b\.ts:\d+\)/ },
  },
  {
    name: "each element of a list of submodules is evaluated on its own, in mkBefore/mkAfter order",
    rule: "types.nix listOf submodule: each element is its own evalModules, named by its index; modules.nix sortProperties",
    modules: { "a.ts": `config: { u: { list: [{ n: 2 }] } }`, "b.ts": `config: { u: { list: mkAfter([{}]) } }` },
    expect: { values: { "u.list": [{ n: 2 }, { n: 1 }] } },
  },
  // Types that merge.
  {
    name: "lines join the definitions with newlines, mkBefore first",
    rule: "types.nix lines = separatedString \"\\n\"; modules.nix sortProperties",
    modules: { "a.ts": `config: { u: { text: "a" } }`, "b.ts": `config: { u: { text: mkBefore("b") } }` },
    expect: { values: { "u.text": "b\na" } },
  },
  {
    name: "order markers apply to a nullable list",
    rule: "types.nix nullOr (listOf str): the list merge sees the sorted definitions",
    modules: { "a.ts": `config: { u: { maybe: ["x"] } }`, "b.ts": `config: { u: { maybe: mkBefore(["y"]) } }` },
    expect: { values: { "u.maybe": ["y", "x"] } },
  },
  {
    name: "an order marker where order does not apply is ignored, with a warning",
    rule: "modules.nix sortProperties: mkOrder only places definitions, so an int keeps its merge",
    modules: { "a.ts": `config: { u: { n: mkBefore(3) } }` },
    expect: { values: { "u.n": 3 }, warnings: [/a\.ts:\d+: mkOrder, mkBefore and mkAfter have no effect on option `u\.n`/] },
  },
  {
    name: "anything: attribute sets merge recursively",
    rule: "types.nix anything: `set = (attrsOf anything).merge`",
    modules: { "a.ts": `config: { u: { any: { x: { y: 1 } } } }`, "b.ts": `config: { u: { any: { x: { z: 2 }, w: true } } }` },
    expect: { values: { "u.any": { w: true, x: { y: 1, z: 2 } } } },
  },
  {
    name: "anything: two different lists conflict",
    rule: "types.nix anything: other values only merge when equal (mergeEqualOption)",
    modules: { "a.ts": `config: { u: { any: [1] } }`, "b.ts": `config: { u: { any: [2] } }` },
    expect: { code: "ERR_EXO_OPTION_CONFLICT", message: /option `u\.any` is defined multiple times/ },
  },
  {
    name: "either: lists merge as lists",
    rule: "types.nix either: the first type every definition checks against merges them (t1CheckedAndMerged)",
    modules: { "a.ts": `config: { u: { either: ["a"] } }`, "b.ts": `config: { u: { either: mkBefore(["b"]) } }` },
    expect: { values: { "u.either": ["b", "a"] } },
  },
  {
    name: "either: two different ints conflict",
    rule: "types.nix either int (listOf str): int merges with mergeEqualOption",
    modules: { "a.ts": `config: { u: { either: 1 } }`, "b.ts": `config: { u: { either: 2 } }` },
    expect: { code: "ERR_EXO_OPTION_CONFLICT", message: /option `u\.either` is defined multiple times/ },
  },
  {
    name: "a freeform submodule keeps the names it does not declare, merged by its freeformType",
    rule: "modules.nix freeformType (RFC 42): unmatched definitions go to the freeform type (modules.sh freeform-*)",
    modules: { "a.ts": `config: { u: { settings: { port: 2, extra: "x" } } }`, "b.ts": `config: { u: { settings: { other: { k: 1 } } } }` },
    expect: { values: { "u.settings": { extra: "x", other: { k: 1 }, port: 2 } } },
  },
  // Defaults, apply, undefined options, introspection.
  {
    name: "a default computed from the config follows the option it reads",
    rule: "modules.nix: a default is a definition at priority 1500, evaluated lazily in the fixpoint",
    modules: { "a.ts": `config: { u: { base: 5 } }` },
    expect: { values: { "u.computed": 10 } },
  },
  {
    name: "apply changes the value every reader sees",
    rule: "modules.nix evalOptionValue: `value = apply mergedValue`, and config holds that value",
    modules: { "a.ts": `config: ({ config }) => ({ u: { s: config.u.applied } })`, "b.ts": `config: { u: { applied: "q" } }` },
    expect: { values: { "u.applied": "Q", "u.s": "Q" } },
  },
  {
    name: "an option without a default that is read but not defined names the option and its reader",
    rule: "modules.nix: The option `r.need' is used but not defined (modules.sh:60)",
    modules: {
      "o.ts": `options: { r: { need: option({ type: z.string(), description: "needed.", example: "x" }) } }`,
      "a.ts": `config: ({ config }) => ({ u: { s: config.r.need } })`,
    },
    expect: { code: "ERR_EXO_OPTION_UNDEFINED", message: /option `r\.need` is used but not defined.*read by module .*a\.ts:\d+/ },
  },
  {
    name: "an option without a default is fine once defined",
    rule: "modules.nix: an option with a definition and no default takes the definition",
    modules: { "o.ts": `options: { r: { need: option({ type: z.string(), description: "needed.", example: "x" }) } }`, "a.ts": `config: { r: { need: "here" } }` },
    expect: { values: { "r.need": "here" } },
  },
  {
    name: "options.<path>.isDefined and highestPrio tell what defines an option",
    rule: "modules.nix mergeDefinitions: isDefined, highestPrio (modules.sh: options.*.highestPrio)",
    modules: {
      "a.ts": `config: ({ options }) => ({ u: { n: options.u.s.highestPrio === 100 && options.u.base.isDefined && options.u.base.highestPrio === 1500 ? 2 : 3 } })`,
      "b.ts": `config: { u: { s: "x" } }`,
    },
    expect: { values: { "u.n": 2 } },
  },
  {
    name: "an optional option without a default and without definitions is not isDefined, and is left out",
    rule: "modules.nix: isDefined = defsFinal != [] (modules.sh: isDefined false); an unread undefined option is no error",
    modules: {
      "o.ts": `options: { r: { maybe: option({ type: z.string().optional(), description: "maybe.", example: "x" }) } }`,
      "a.ts": `config: ({ options }) => ({ u: { n: options.r.maybe.isDefined ? 2 : 3 } })`,
    },
    expect: { values: { "u.n": 3, r: {} } },
  },
  // Option evolution and disabledModules.
  {
    name: "a renamed option takes definitions to its new path, with a warning naming both",
    rule: "modules.nix mkRenamedOptionModule: definitions forwarded, warning \"The option `old' ... has been renamed to `new'\"",
    modules: { "o.ts": `imports: [mkRenamedOptionModule("u.old", "u.n")]`, "a.ts": `config: { u: { old: 5 } }` },
    expect: { values: { "u.n": 5 }, warnings: [/a\.ts:\d+: option `u\.old` has been renamed to `u\.n`/] },
  },
  {
    name: "an aliased option reads its target, silently",
    rule: "modules.nix mkAliasOptionModule: doRename without a warning",
    modules: { "o.ts": `imports: [mkAliasOptionModule("u.alias", "u.n")]`, "a.ts": `config: ({ config }) => ({ u: { s: String(config.u.alias) } })`, "b.ts": `config: { u: { n: 7 } }` },
    expect: { values: { "u.s": "7" } },
  },
  {
    name: "a removed option cannot be defined, and the error says what to do",
    rule: "modules.nix mkRemovedOptionModule: \"The option `gone' can no longer be used since it's been removed. <instructions>\"",
    modules: { "o.ts": `imports: [mkRemovedOptionModule("u.gone", "use u.n instead")]`, "a.ts": `config: { u: { gone: 1 } }` },
    expect: { code: "ERR_EXO_OPTION_REMOVED", message: /a\.ts:\d+: option `u\.gone` can no longer be used, since it has been removed \(.*o\.ts:\d+\)/, hint: /use u\.n instead/ },
  },
  {
    name: "disabledModules leaves a module out wherever it is imported",
    rule: "modules.nix disabledModules (modules.sh: disable-declare-*, disable-define-*)",
    modules: { "a.ts": `disabledModules: ["./b.ts"]`, "b.ts": `config: { u: { n: 9 } }` },
    expect: { values: { "u.n": 1 } },
  },
  {
    name: "an option declared where another module declares a set of options names both files",
    rule: "modules.nix: The option `u.n' in `o.ts' is a prefix of options in `decls.ts' (modules.sh:271)",
    modules: { "o.ts": `options: { u: { n: { x: option({ type: z.number(), default: 1, description: "x.", example: 1 }) } } }` },
    expect: { code: "ERR_EXO_OPTION_DECLARED_TWICE", message: /`u\.n` is declared as two different things:\n {2}- an option in .*decls\.ts:1\n {2}- a set of options in .*o\.ts:\d+/ },
  },
];

ruleTable(cases, DECLS);
