// core/sandbox.c: the sandbox policies and the checks that depend on more
// than a capability bit. The table holds the named policies
// (sandbox.policies, for init and tests) and one policy per package the
// image carries ("<name>@<version>", from its manifest). A package's process
// opens only paths under its prefixes and shares channels only with the
// packages it lists. A denial is printed once per process and capability.
import { posix } from "node:path";
import type { KernelTemplateInput, PackagePolicy } from "../input.ts";
import { capabilityMask } from "../features.ts";
import { MAX_NAME } from "../../schemas/limits.ts";
import type { Capability } from "../../schemas/sandbox.ts";
import { ExoError } from "../../generator/errors.ts";
import { cString, emit, type Template } from "../template.ts";
import type { Writer } from "../writer.ts";
import { builtCapabilities, capMacro, POLICY_MAX } from "./policy.ts";

const source = "core/sandbox.ts";

/** Package policies a process may tell apart on a channel: one bit each of a uint64. */
export const MAX_PACKAGE_POLICIES = 64;

/** A guest path prefix as core/path.c writes paths: normalised, no leading slash, "" for the root. */
export function cleanPrefix(prefix: string): string {
  return posix.normalize(`/${prefix}`).replace(/^\/+/, "").replace(/\/+$/, "");
}

/** The packages' policies, checked: names that fit, no more than a channel's user mask holds. */
function checkedPackages(list: readonly PackagePolicy[]): readonly PackagePolicy[] {
  if (list.length > MAX_PACKAGE_POLICIES) {
    throw new ExoError(
      "ERR_EXO_CONFIG_INVALID",
      `the image carries ${list.length} packages (${list.map((p) => p.name).join(", ")}), but the kernel's sandbox tells at most ${MAX_PACKAGE_POLICIES} package policies apart`,
      `install at most ${MAX_PACKAGE_POLICIES} packages in packages.install`,
    );
  }
  for (const p of list) {
    if (p.name.length > POLICY_MAX || p.package.length > MAX_NAME) {
      throw new Error(`kernel-src: package policy "${p.name}" (package "${p.package}") is longer than the kernel's fields (${POLICY_MAX} and ${MAX_NAME})`);
    }
  }
  return list;
}

interface Row {
  readonly name: string;
  readonly package?: string;
  readonly caps: readonly Capability[];
  readonly pages: number;
  readonly read?: string;
  readonly write?: string;
  readonly peers: bigint;
  readonly bit: bigint;
}

function hex(n: bigint): string {
  return `0x${n.toString(16)}UL`;
}

/** The NULL-terminated prefix lists of each package policy, and the rows of the table. */
function tableRows(w: Writer, input: KernelTemplateInput, ipc: boolean): Row[] {
  const named = Object.entries(input.sandbox?.policies ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const packages = checkedPackages(input.packagePolicies ?? []);
  const rows: Row[] = named.map(([name, p]) => ({ name, caps: p.capabilities, pages: p.memoryPages, peers: 0n, bit: 0n }));
  packages.forEach((p, i) => {
    for (const [kind, list] of [["read", p.read], ["write", p.write]] as const) {
      const prefixes = [...new Set(list.map(cleanPrefix))].sort();
      w.line(`static const char *const ${kind}_${i}[] = { ${[...prefixes.map(cString), "NULL"].join(", ")} }; /* ${p.name} */`);
    }
    // A package shares channels with itself (another of its processes) and with the packages it lists.
    const peers = ipc ? packages.reduce((mask, q, j) => (q.package === p.package || p.ipc.includes(q.package) ? mask | (1n << BigInt(j)) : mask), 0n) : 0n;
    rows.push({ name: p.name, package: p.package, caps: p.capabilities, pages: p.memoryPages, read: `read_${i}`, write: `write_${i}`, peers, bit: 1n << BigInt(i) });
  });
  return rows;
}

export const sandbox: Template = {
  source,
  render(input: KernelTemplateInput) {
    const k = input.kernel;
    const ipc = k.ipc.enable;
    const caps = builtCapabilities(ipc);
    const options = [...(input.sandbox !== undefined ? ["sandbox.policies"] : []), ...(ipc ? ["kernel.ipc.enable"] : []), ...((input.packagePolicies ?? []).length > 0 ? ["packages.install"] : [])];
    const summary = "The sandbox policies (named and per package), their lookup, the path and channel checks, and the once-per-capability denial log.";
    return emit({ source, path: "core/sandbox.c", summary, options }, (w) => {
      w.line('#include "types.h"', '#include "errno.h"', '#include "policy.h"', '#include "defs.h"');
      w.blank();
      w.comment("Each package policy's path prefixes (core/path.c's form).");
      const rows = tableRows(w, input, ipc);
      w.blank();
      w.comment("Named policies (sandbox.policies) by name, then one per package the image carries.");
      w.line("static const struct policy policies[] = {");
      w.indent(() => {
        if (rows.length === 0) w.line('{ "", NULL, 0, 0, NULL, NULL, 0, 0 }, /* no sandbox policies given */');
        for (const r of rows) {
          const capList = r.caps.length > 0 ? r.caps.join(", ") : "no capabilities";
          w.line(
            `{ ${cString(r.name)}, ${r.package !== undefined ? cString(r.package) : "NULL"}, ${capabilityMask(r.caps)} /* ${capList} */, ${r.pages}, ${r.read ?? "NULL"}, ${r.write ?? "NULL"}, ${hex(r.peers)}, ${hex(r.bit)} },`,
          );
        }
      });
      w.line("};", "#define NPOLICIES (sizeof policies / sizeof policies[0])");
      w.blank();
      w.comment("The policy named name (NUL-terminated), or NULL.");
      w.fn("const struct policy *policy_find(const char *name)", () => {
        w.line(`for (uint64 i = 0; i < NPOLICIES; i++) {
    const char *a = policies[i].name, *b = name;
    while (*a != 0 && *a == *b)
        a++, b++;
    if (policies[i].name[0] != 0 && *a == 0 && *b == 0)
        return &policies[i];
}
return NULL;`);
      });
      w.blank();
      w.comment("Capability names, by bit, as denials print them.");
      w.table(() => {
        w.line("static const char *const cap_names[64] = {");
        w.indent(() => w.line(...caps.map((c) => `[${c.bit}] = ${cString(c.name)},`)));
        w.line("};");
      });
      w.blank();
      w.comment(
        "Print \"sandbox: WHO (pid N) denied CAP: DETAIL\" for the current process, the",
        "first time it is denied cap (one CAP_* bit); later denials of cap are silent.",
        "WHO is its policy's name, or its own when it runs under none.",
      );
      w.fn("void sandbox_deny(uint64 cap, const char *fmt, ...)", () => {
        w.line(`va_list ap;
if (!uproc_first_denial(cap))
    return;
const char *name = cap_names[__builtin_ctzl(cap)];
preempt_off(); /* one line: another process's output does not cut into it */
kprintf("sandbox: %s (pid %u) denied %s: ", uproc_subject(), uproc_pid(), name != NULL ? name : "?");
va_start(ap, fmt);
vkprintf_untrusted(fmt, ap); /* paths are the process's own bytes */
va_end(ap);
kprintf("\\n");
preempt_on();`);
      });
      w.blank();
      w.fn("static int under_any(const char *path, const char *const *prefixes)", () => {
        w.line(`for (; prefixes != NULL && *prefixes != NULL; prefixes++)
    if (path_under(path, *prefixes))
        return 1;
return 0;`);
      });
      w.blank();
      w.comment(
        "May the current process open path (normalised) for reading, or writing? 0,",
        "or -EPERM (logged). Writing needs fs.write; a package's process also needs",
        "the path under one of its prefixes: read or write ones to read, write",
        "ones to write. A named policy confines no paths.",
      );
      w.fn("int64 sandbox_open(const char *path, int write)", () => {
        w.line(`const struct policy *p = uproc_policy();
uint64 cap = write ? ${capMacro("fs.write")} : ${capMacro("fs.read")};
if ((uproc_caps() & cap) == 0) {
    sandbox_deny(cap, "open /%s%s", path, write ? " for writing" : "");
    return -EPERM;
}
if (p == NULL || p->package == NULL)
    return 0;
if (under_any(path, p->write) || (!write && under_any(path, p->read)))
    return 0;
sandbox_deny(cap, "open /%s%s", path, write ? " for writing" : "");
return -EPERM;`);
      });
      if (ipc) {
        w.blank();
        w.comment(
          "May the current process use channel n, whose users (package policy bits)",
          "are *users? 0, recording it as a user, or -EPERM (logged) when another",
          "package it does not list has used the channel. Processes under named",
          "policies are not confined and are not recorded.",
        );
        w.fn("int64 sandbox_ipc(uint64 *users, uint64 n)", () => {
          w.line(`const struct policy *p = uproc_policy();
if (p == NULL || p->package == NULL)
    return 0;
uint64 seen = __atomic_load_n(users, __ATOMIC_ACQUIRE);
for (;;) {
    uint64 strangers = seen & ~p->peers;
    if (strangers != 0) {
        const struct policy *other = NULL;
        for (uint64 i = 0; i < NPOLICIES && other == NULL; i++)
            if (policies[i].bit == (strangers & -strangers))
                other = &policies[i];
        sandbox_deny(${capMacro("ipc")}, "channel %u is used by %s", (uint32)n, other != NULL ? other->package : "?");
        return -EPERM;
    }
    if ((seen & p->bit) != 0 || __atomic_compare_exchange_n(users, &seen, seen | p->bit, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return 0;
}`);
        });
      }
    });
  },
};
