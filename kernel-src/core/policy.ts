// include/policy.h: what the kernel knows of a sandbox policy, shared by
// core/sandbox.c (the table and the checks), core/uproc.c (spawn, memory)
// and core/syscall.c (the capability of each syscall): the CAP_* bits and
// struct policy.
import type { KernelTemplateInput } from "../input.ts";
import { capabilities, type Capability } from "../../schemas/sandbox.ts";
import { emit, type Template } from "../template.ts";
import { alignColumns } from "../writer.ts";

const source = "core/policy.ts";

/** Longest policy name spawn takes: a package's "<name>@<version>" (the user header exo.h has the same). */
export const POLICY_MAX = 63;
export const POLICY_MAX_MACRO = "EXO_POLICY_MAX";
export const policyMaxDefine = `#define ${POLICY_MAX_MACRO} ${POLICY_MAX}`;

/** The C macro of a capability's bit: `fs.read` is CAP_FS_READ. */
export const capMacro = (c: Capability): string => `CAP_${c.replace(".", "_").toUpperCase()}`;

/** The capabilities the kernel has, with their bit: without IPC the ipc bit stays reserved and unnamed. */
export function builtCapabilities(ipc: boolean): { readonly name: Capability; readonly bit: number }[] {
  return capabilities.map((name, bit) => ({ name, bit })).filter((c) => ipc || c.name !== "ipc");
}

export const policy: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    const summary = "Capability bits and struct policy: what a process under a sandbox policy may do, read, write and share.";
    return emit({ source, path: "include/policy.h", summary, options: k.ipc.enable ? ["kernel.ipc.enable"] : [] }, (w) => {
      w.line("#pragma once");
      w.blank();
      w.comment("Capabilities, one bit each, in the order of schemas/sandbox.ts.");
      w.line(...alignColumns(builtCapabilities(k.ipc.enable).map((c) => ["#define", capMacro(c.name), `(1UL << ${c.bit})`, `/* ${c.name} */`])));
      w.line("#define CAP_NONE 0", `#define CAP_ALL ((1UL << ${capabilities.length}) - 1)`);
      w.blank();
      w.comment(`Longest policy name spawn takes, a package's "<name>@<version>" (user/include/exo.h has the same).`);
      w.line(policyMaxDefine);
      w.blank();
      w.comment(
        "A named policy (sandbox.policies) holds capabilities and a memory limit;",
        "a package's policy also confines paths and the packages it shares",
        "channels with. Path prefixes are normalised (core/path.c: no leading",
        "slash, \"\" is the root) and end with NULL.",
      );
      w.line(`struct policy {
    const char *name;         /* what spawn takes */
    const char *package;      /* the package's name; NULL for a named policy */
    uint64 caps;              /* CAP_* bits */
    uint64 memory_pages;      /* the most pages its processes may mmap */
    const char *const *read;  /* package policies: prefixes it may open for reading */
    const char *const *write; /* ... and for writing (reading too) */
    uint64 peers;             /* package policies (bits) whose channels it may share */
    uint64 bit;               /* its own bit among the package policies; 0 for a named policy */
};`);
    });
  },
};
