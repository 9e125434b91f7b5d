// A package's sandbox as init starts it: its manifest's, with what the
// profile changed (packages.set.<attr>.sandbox, or a named policy through
// packages.policies). Tightening is silent; granting more than the manifest
// asks is what a reviewer must see, so it is a warning unless the profile
// said mkForce.
import type { Manifest } from "../../schemas/manifest.ts";
import type { PackagePolicy } from "../../kernel-src/input.ts";
import type { Capability, SandboxPolicy } from "../../schemas/sandbox.ts";

/** What a sandbox allows: the kernel's policy of a package (kernel-src/input.ts), without its names. */
export type Sandbox = Omit<PackagePolicy, "name" | "package">;

/** packages.set.<attr>.sandbox: each field null keeps the manifest's. */
export interface SandboxOverride {
  readonly capabilities: readonly Capability[] | null;
  readonly memoryPages: number | null;
  readonly read: readonly string[] | null;
  readonly write: readonly string[] | null;
  readonly ipc: readonly string[] | null;
}

export const declaredSandbox = (m: Manifest): Sandbox => ({
  capabilities: m.sandbox.capabilities,
  memoryPages: m.sandbox.memoryPages,
  read: m.sandbox.filesystem.read,
  write: m.sandbox.filesystem.write,
  ipc: m.sandbox.ipc,
});

/** The sandbox after the profile's changes: the override's fields, then a named policy's capabilities and memory. */
export function effectiveSandbox(declared: Sandbox, override: SandboxOverride, policy?: SandboxPolicy): Sandbox {
  const sorted = (list: readonly string[]) => [...new Set(list)].sort();
  return {
    capabilities: sorted(policy?.capabilities ?? override.capabilities ?? declared.capabilities) as Capability[],
    memoryPages: policy?.memoryPages ?? override.memoryPages ?? declared.memoryPages,
    read: sorted(override.read ?? declared.read),
    write: sorted(override.write ?? declared.write),
    ipc: sorted(override.ipc ?? declared.ipc),
  };
}

/** What `granted` allows beyond `declared`, one phrase a field (empty: nothing more). */
export function widening(declared: Sandbox, granted: Sandbox): { readonly field: keyof Sandbox; readonly what: string }[] {
  const beyond = (field: "capabilities" | "ipc", noun: string) => {
    const extra = (granted[field] as readonly string[]).filter((x) => !(declared[field] as readonly string[]).includes(x));
    return extra.length ? [{ field, what: `${noun} ${extra.join(", ")}` }] : [];
  };
  // A path is covered when it is one the manifest lists or lies below one.
  const covered = (path: string, by: readonly string[]) => by.some((p) => path === p || path.startsWith(p.endsWith("/") ? p : `${p}/`));
  const paths = (field: "read" | "write", verb: string, by: readonly string[]) => {
    const extra = granted[field].filter((p) => !covered(p, by));
    return extra.length ? [{ field, what: `${verb} ${extra.join(", ")}` }] : [];
  };
  return [
    ...beyond("capabilities", "capabilities"),
    ...(granted.memoryPages > declared.memoryPages ? [{ field: "memoryPages" as const, what: `${granted.memoryPages} pages of memory (its manifest asks ${declared.memoryPages})` }] : []),
    ...paths("read", "reading", [...declared.read, ...declared.write]),
    ...paths("write", "writing", declared.write),
    ...beyond("ipc", "messages with"),
  ];
}

/** A sandbox in one line, for listings and diffs: `console, ipc; 256 pages; read /etc; ipc echo-server`. */
export function sandboxSummary(s: Sandbox): string {
  const parts = [s.capabilities.join(", ") || "no capabilities", `${s.memoryPages} pages`];
  if (s.read.length) parts.push(`read ${s.read.join(" ")}`);
  if (s.write.length) parts.push(`write ${s.write.join(" ")}`);
  if (s.ipc.length) parts.push(`ipc ${s.ipc.join(" ")}`);
  return parts.join("; ");
}
