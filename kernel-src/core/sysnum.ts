// include/sysnum.h: the numbers of the syscalls built in, grouped by tier.
import type { KernelTemplateInput } from "../input.ts";
import { syscallTiers } from "../features.ts";
import { emit, type Template } from "../template.ts";
import { alignColumns } from "../writer.ts";

const source = "core/sysnum.ts";

const tierNote = { hot: "dispatched first", warm: "dispatched after the hot tier", cold: "dispatched last" } as const;

export const sysnum: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    const tiers = syscallTiers(k);
    const summary =
      "POSIX-X syscall numbers. A number is the syscall's place in the fixed POSIX-X list, so it does not move when the syscall changes tier; a syscall in no tier is absent.";
    return emit({ source, path: "include/sysnum.h", summary, options: tiers.map((t) => t.option) }, (w) => {
      w.line("#pragma once");
      w.blank().comment("The null syscall: nothing done, 0 returned, in every build; the shortest way in and out (hot wherever the port has a way for it).");
      w.line(...alignColumns([["#define", "SYS_null", "511"]]));
      for (const t of tiers) {
        w.blank().comment(`${t.tier} tier, ${tierNote[t.tier]} (${t.option})`);
        w.line(...alignColumns(t.syscalls.map((s) => ["#define", `SYS_${s.name}`, String(s.number)])));
      }
    });
  },
};
