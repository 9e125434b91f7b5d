// core/build_info.c: what this build is. Kept apart from everything else so
// that a new config hash (every config change) recompiles only this file.
import type { KernelTemplateInput } from "../input.ts";
import { featureList } from "../features.ts";
import { cString, emit, type Template } from "../template.ts";

const source = "core/build_info.ts";

export const buildInfo: Template = {
  source,
  render({ systemName, arch, configHash, kernel: k, initrdSha256 }: KernelTemplateInput) {
    const options = [
      "system.name",
      "system.arch",
      ...(k.ipc.enable ? ["kernel.ipc.enable"] : []),
      "kernel.scheduler.policy",
      "kernel.allocator.threadCacheObjects",
      "kernel.contextSwitch.lazyFpu",
      "kernel.syscalls.hot",
      "kernel.syscalls.warm",
      "kernel.syscalls.cold",
    ];
    const summary = "Name, architecture, config hash and feature list of this build, for the boot banner, and the SHA-256 of the initrd it was built with.";
    return emit({ source, path: "core/build_info.c", summary, options }, (w) => {
      w.line('#include "types.h"', '#include "defs.h"');
      w.blank();
      w.line(
        `const char build_system_name[] = ${cString(systemName)};`,
        `const char build_arch[] = ${cString(arch)};`,
        `const char build_config_hash[] = ${cString(configHash)};`,
        `const char build_features[] = ${cString(featureList(k).join(" "))};`,
        `const char build_initrd_sha256[] = ${cString(initrdSha256 ?? "")};`,
      );
    });
  },
};
