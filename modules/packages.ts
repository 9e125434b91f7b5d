// Declares the `packages` namespace and puts Exo's own packages into the
// set (each path a default, so that a profile may point the name at
// another folder). Checks every installed name and every package given a
// policy is in the set, with "did you mean" for a misspelling, and that
// ring-bench has echo-server to measure round trips through.
import { defineModule } from "../generator/eval/module.ts";
import { mkBefore, mkDefault } from "../generator/eval/markers.ts";
import { suggest } from "../generator/eval/suggest.ts";
import { BUILTIN_PREFIX, builtinPackageSet, packagesOptions } from "../schemas/packages.ts";

const didYouMean = (name: string, names: readonly string[]): string => {
  const near = suggest(name, names);
  return near.length ? `did you mean ${near.map((n) => `"${n}"`).join(" or ")}?` : `add it to packages.set (\`exo search\` lists the set)`;
};

export default defineModule({
  options: { packages: packagesOptions },
  config: {
    packages: {
      set: Object.fromEntries(Object.keys(builtinPackageSet).map((name) => [name, { path: mkDefault(`${BUILTIN_PREFIX}${name}`) }])),
      // Every system starts with init; profiles add to the list.
      install: mkBefore(["init"]),
    },
  },
  assertions: ({ config }) => {
    const names = Object.keys(config.packages.set);
    const inSet = (name: string) => Object.hasOwn(config.packages.set, name);
    return [
      ...[...new Set(config.packages.install)].map((name) => ({
        assertion: inSet(name),
        message: `packages.install holds "${name}", which is not in packages.set`,
        options: ["packages.install"],
        hint: didYouMean(name, names),
      })),
      ...(config.packages.install.includes("ring-bench")
        ? [{ assertion: config.packages.install.includes("echo-server"), message: 'packages.install holds "ring-bench", which needs "echo-server" too: it measures round trips through it', options: ["packages.install"], hint: 'add "echo-server" to packages.install' }]
        : []),
      // Own keys only: a policy named "constructor" exists only when sandbox.policies defines it.
      ...Object.entries(config.packages.policies).flatMap(([name, policy]) => [
        {
          assertion: inSet(name),
          message: `packages.policies names "${name}", which is not in packages.set`,
          options: [`packages.policies.${name}`],
          hint: didYouMean(name, names),
        },
        {
          assertion: policy !== undefined && Object.hasOwn(config.sandbox.policies, policy),
          message: `packages.policies.${name} is "${policy}", an unknown policy: it is not among sandbox.policies (${Object.keys(config.sandbox.policies).join(", ")})`,
          options: [`packages.policies.${name}`],
          hint: `define sandbox.policies.${policy ?? name}, or name a policy that exists`,
        },
      ]),
    ];
  },
});
