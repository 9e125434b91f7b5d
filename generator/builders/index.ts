// The builder registry: every builder a plan may name.
import type { Builder } from "../../store/derivation.ts";
import type { SecretKeyHandle } from "../sign/keys.ts";
import type { Tool } from "../toolchain.ts";
import { bundleBuilder } from "./bundle.ts";
import { compileBuilder } from "./compile.ts";
import { kernelSourcesBuilder } from "./kernel-sources.ts";
import { linkBuilder } from "./link.ts";

export interface BuilderTools {
  readonly clang: Tool;
  readonly lld: Tool;
  readonly key: SecretKeyHandle;
}

export async function makeBuilders(tools: BuilderTools): Promise<Record<string, Builder>> {
  return {
    "kernel-sources": await kernelSourcesBuilder(),
    compile: compileBuilder(tools.clang),
    link: linkBuilder(tools.lld),
    bundle: bundleBuilder(tools.key),
  };
}
