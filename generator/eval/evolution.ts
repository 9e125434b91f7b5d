// Option evolution, as nixpkgs' lib/modules.nix offers it: a module that
// keeps an old option path working (renamed: with a warning; aliased:
// silently) or makes it an error that says what to use instead (removed).
import type { OptionTree } from "../../schemas/option.ts";
import { fileURLToPath } from "node:url";
import { callSite, type Module } from "./module.ts";

/** `from` was renamed to `to`: definitions of `from` go to `to`, with a warning that names both; reads of `from` read `to`. */
export function mkRenamedOptionModule(from: string, to: string): Module {
  return at(from, { kind: "alias", to, warn: true });
}

/** `from` is another name of `to`, without a warning. */
export function mkAliasOptionModule(from: string, to: string): Module {
  return at(from, { kind: "alias", to, warn: false });
}

/** `path` no longer exists: defining or reading it is an error carrying `replacementInstructions`. */
export function mkRemovedOptionModule(path: string, replacementInstructions: string): Module {
  return at(path, { kind: "removed", message: replacementInstructions });
}

/** A module declaring `node` at `path`, placed where the user called mkRenamedOptionModule & co. */
function at(path: string, node: OptionTree[string]): Module {
  const options = path.split(".").reduceRight<OptionTree[string]>((inside, key) => ({ [key]: inside }), node) as OptionTree;
  return { kind: "module", options, ...callSite([fileURLToPath(import.meta.url)]) };
}
