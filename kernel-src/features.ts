// Facts derived from the kernel config that more than one template needs:
// the feature list of the banner and the syscall tiers actually built in.
import type { KernelConfig } from "../schemas/index.ts";
import { syscallNames, type SyscallName } from "../schemas/kernel.ts";
import { capabilities, type Capability } from "../schemas/sandbox.ts";

/** Feature names printed by the banner (`exo: features ...`), in a fixed order. */
export function featureList(k: KernelConfig): string[] {
  const features: string[] = [];
  if (k.ipc.enable) features.push("fusion-rings");
  features.push(`sched-${k.scheduler.policy}`);
  features.push(k.allocator.threadCacheObjects > 0 ? "alloc-3level" : "alloc-2level");
  if (k.contextSwitch.lazyFpu) features.push("lazy-fpu");
  if (syscallTiers(k).some((t) => t.syscalls.length > 0)) features.push("posix-x");
  return features;
}

export type TierName = "hot" | "warm" | "cold";

export interface SyscallTier {
  readonly tier: TierName;
  readonly option: `kernel.syscalls.${TierName}`;
  readonly syscalls: readonly { readonly name: SyscallName; readonly number: number }[];
}

/** Syscalls that only exist when a feature is built in: with the feature off they leave the tiers. */
function builtIn(k: KernelConfig, name: SyscallName): boolean {
  return k.ipc.enable || (name !== "ipc_send" && name !== "ipc_recv");
}

/**
 * The syscall tiers, hot first, each in the order the config lists it. A
 * syscall's number is its place in the fixed POSIX-X list, so it does not move
 * when it changes tier. Throws when a syscall is listed twice.
 */
export function syscallTiers(k: KernelConfig): SyscallTier[] {
  const seen = new Map<SyscallName, TierName>();
  return (["hot", "warm", "cold"] as const).map((tier) => {
    const syscalls = k.syscalls[tier].filter((name) => builtIn(k, name)).map((name) => {
      const other = seen.get(name);
      if (other !== undefined) {
        throw new Error(`syscall "${name}" is in both kernel.syscalls.${other} and kernel.syscalls.${tier}; a syscall belongs to one tier`);
      }
      seen.set(name, tier);
      return { name, number: syscallNames.indexOf(name) };
    });
    return { tier, option: `kernel.syscalls.${tier}` as const, syscalls };
  });
}

/** The EMA weight as a Q16 fixed-point fraction: the kernel does no floating point. */
export function alphaQ16(alpha: number): number {
  return Math.round(alpha * 65536);
}

/** The CAP_* bit mask (core/syscall.c) of a list of capabilities: bit i is capabilities[i] of schemas/sandbox.ts. */
export function capabilityMask(list: readonly Capability[]): number {
  return list.reduce((mask, c) => mask | (1 << capabilities.indexOf(c)), 0);
}
