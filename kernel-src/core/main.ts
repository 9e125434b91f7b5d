// core/main.c: kmain, where boot.S hands over. It prints the banner, brings
// up memory, traps, the FPU, the timer and the scheduler, then runs the
// self-tests or benchmarks when built with them, and stops the machine.
import type { KernelTemplateInput } from "../input.ts";
import { syscallTiers } from "../features.ts";
import { inlineDefines } from "../params.ts";
import { cString, emit, type Template } from "../template.ts";
import type { Writer } from "../writer.ts";

const source = "core/main.ts";

function initrdCheck(w: Writer): void {
  w.comment(
    "The last link of the chain of trust (signature → manifest → kernel → initrd):",
    "nothing starts unless the initrd is the one this kernel was built with.",
  );
  w.fn("static void initrd_check(uint32 magic, uint64 info)", () => {
    w.line("const uint8 *start;", "uint64 len;", "char actual[65];");
    w.block("if (!arch_boot_module(magic, info, &start, &len)) {", () => {
      w.line('kprintf("exo: initrd: none was loaded; refusing to start\\n");', "arch_halt(2);");
    });
    w.block("if (!initrd_verify(start, len, actual)) {", () => {
      w.line('kprintf("exo: initrd: sha256 %s, but this kernel was built for %s; refusing to start\\n", actual, build_initrd_sha256);');
      w.line("arch_halt(2);");
    });
    w.line('kprintf("exo: initrd: %d bytes, sha256 %s ok\\n", (int)len, actual);', "initrd_accept(start, len);");
  });
}

export const main: Template = {
  source,
  render({ kernel: k, sandbox }: KernelTemplateInput) {
    const options = [
      ...(k.ipc.enable ? ["kernel.ipc.enable"] : []),
      "kernel.syscalls.hot",
      "kernel.syscalls.warm",
      "kernel.syscalls.cold",
      "kernel.testMode",
      ...(sandbox !== undefined && k.testMode === "off" ? ["sandbox.policies", "sandbox.defaultPolicy"] : []),
    ];
    const summary = "kmain: the boot banner, bring-up of every subsystem, then the self-tests, the benchmarks or a clean stop.";
    return emit({ source, path: "core/main.c", summary, options }, (w) => {
      w.line('#include "types.h"', '#include "arch.h"', '#include "errno.h"', '#include "policy.h"', '#include "defs.h"');
      w.blank();
      w.comment("How many syscalls each POSIX-X tier holds, for the banner.");
      w.line(...inlineDefines(syscallTiers(k).map((t) => [`EXO_SYSCALLS_${t.tier.toUpperCase()}`, t.syscalls.length, t.option] as const)));
      w.blank();
      initrdCheck(w);
      w.blank();
      w.comment(
        "The port's boot code calls this on the boot stack, in the kernel's half.",
        "magic and info are what the boot loader handed over, for the port to",
        "read (arch_init_early, arch_loader_name, arch_memory_init,",
        "arch_boot_module). Does not return.",
      );
      w.fn("void kmain(uint32 magic, uint64 info)", () => {
        w.line("arch_init_early(magic, info); /* the console, and the lower half left to user space */");
        w.line('kprintf("exo: booting %s (%s)\\n", build_system_name, build_arch);');
        w.line('kprintf("exo: config %s\\n", build_config_hash);');
        w.line('kprintf("exo: features %s\\n", build_features);');
        w.line('kprintf("exo: loader %s\\n", arch_loader_name(magic));');
        w.line("arch_memory_init(magic, info);");
        w.line("initrd_check(magic, info);");
        w.line("arch_init_cpu();", "arch_timer_init();", "sched_init();");
        if (k.ipc.enable) w.line("ipc_init();");
        w.line('kprintf("exo: syscalls: hot %d warm %d cold %d\\n", EXO_SYSCALLS_HOT, EXO_SYSCALLS_WARM, EXO_SYSCALLS_COLD);');
        w.line("arch_intr_on(); /* the timer may preempt from here on */");
        w.line('kprintf("exo: boot complete\\n");');
        if (k.testMode === "selftest") w.line("selftest_run();");
        else if (k.testMode === "bench") w.line("bench_run();");
        else {
          const policy = sandbox && Object.hasOwn(sandbox.policies, sandbox.defaultPolicy) ? sandbox.defaultPolicy : undefined;
          w.comment(
            "The first user process: init from the initrd (exo/bin/init, or bin/init in",
            "the older layout), under sandbox.defaultPolicy (core/sandbox.c).",
          );
          w.line("struct uproc *init;", "int killed;");
          if (policy === undefined) {
            w.comment("No sandbox policy given: init holds every capability.");
            w.line("#define SPAWN_INIT(path) uproc_spawn_file(path, CAP_ALL, 0, &init)");
          } else {
            w.line(`const struct policy *policy = policy_find(${cString(policy)});`);
            w.line("#define SPAWN_INIT(path) uproc_spawn_policy(path, policy, 0, &init)");
          }
          w.line("int64 err = SPAWN_INIT(\"exo/bin/init\");");
          w.line("if (err == -ENOENT)").indent(() => w.line("err = SPAWN_INIT(\"bin/init\");"));
          w.block("if (err != 0) {", () => {
            w.line('kprintf("exo: init: cannot start exo/bin/init or bin/init from the initrd: error %d\\n", (int)-err);', "arch_halt(1);");
          });
          w.line("int64 status = uproc_wait(init, &killed);");
          w.line('kprintf("exo: init %s with status %d\\n", killed ? "was killed" : "exited", (int)status);');
          w.line("arch_halt(0);");
        }
      });
    });
  },
};
