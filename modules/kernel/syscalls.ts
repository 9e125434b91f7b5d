// The POSIX-X tiers: each syscall belongs to one tier at most.
import { defineModule } from "../../generator/eval/module.ts";

export default defineModule({
  assertions: ({ config }) => {
    const { hot, warm, cold } = config.kernel.syscalls;
    const tiers = [["hot", hot], ["warm", warm], ["cold", cold]] as const;
    const seen = new Map<string, string>();
    const failures = [];
    for (const [tier, list] of tiers) {
      for (const name of list) {
        const first = seen.get(name);
        if (first && first !== tier) {
          failures.push({
            assertion: false,
            message: `syscall "${name}" is in both kernel.syscalls.${first} and kernel.syscalls.${tier}`,
            options: [`kernel.syscalls.${first}`, `kernel.syscalls.${tier}`],
            hint: `keep each syscall in one tier: take "${name}" out of one of them (mkForce replaces a whole list)`,
          });
        }
        seen.set(name, first ?? tier);
      }
    }
    return failures;
  },
  warnings: ({ config }) =>
    config.kernel.ipc.enable ? [] : config.kernel.syscalls.hot.filter((n) => n.startsWith("ipc_")).map((n) => `kernel.syscalls.hot lists ${n}, which is left out because kernel.ipc.enable is false`),
});
