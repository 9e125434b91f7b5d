// The builder registry: every builder a plan may name, with the tools and
// keys it needs.
import type { Builder } from "../../store/derivation.ts";
import type { SecretKeyHandle } from "../sign/keys.ts";
import type { Tool } from "../toolchain.ts";
import { bootloaderBuilder } from "./bootloader.ts";
import { compileBuilder } from "./compile.ts";
import { imageBuilder } from "./image.ts";
import { initrdBuilder } from "./initrd.ts";
import { kernelImageBuilder } from "./kernel-image.ts";
import { kernelSourcesBuilder, templatesHash, userSourcesBuilder } from "./kernel-sources.ts";
import { linkBuilder } from "./link.ts";
import { packageBuilder, packageSourcesBuilder } from "./package.ts";
import { payloadBuilder, type SbomContext } from "./payload.ts";

export interface BuilderTools {
  readonly clang: Tool;
  readonly lld: Tool;
  readonly grubMkimage: Tool;
  readonly xorriso: Tool;
  readonly mformat: Tool;
  readonly mmd: Tool;
  readonly mcopy: Tool;
  /** llvm-objcopy: the flat Image of ports that boot one. */
  readonly objcopy: Tool;
  /** Absent for unsigned builds. */
  readonly key?: SecretKeyHandle;
  readonly sbom: SbomContext;
  /** llvm-ar and the folders of the packages the graph builds, by `name@version`: absent when it builds none. */
  readonly packages?: { readonly ar: Tool; readonly folders: ReadonlyMap<string, string> };
}

export async function makeBuilders(tools: BuilderTools): Promise<Record<string, Builder>> {
  const templates = await templatesHash();
  return {
    "kernel-sources": kernelSourcesBuilder(templates),
    "user-sources": userSourcesBuilder(templates),
    compile: compileBuilder(tools.clang),
    link: linkBuilder(tools.lld),
    "kernel-image": kernelImageBuilder(tools.objcopy),
    initrd: initrdBuilder(),
    bootloader: bootloaderBuilder(tools),
    payload: payloadBuilder(tools.key, tools.sbom),
    image: imageBuilder(tools, tools.key),
    ...(tools.packages
      ? { "package-sources": packageSourcesBuilder(tools.packages.folders), package: packageBuilder({ clang: tools.clang, lld: tools.lld, ar: tools.packages.ar }) }
      : {}),
  };
}
