// The part of the configuration the running system is built from: every
// option but `image.*`, which only shapes the containers (formats, boot
// menu, dates). The initrd carries it and the kernel prints its hash, so an
// image option rebuilds the image and nothing inside it.
import type { Config } from "../../schemas/index.ts";
import { hashJson } from "../../store/hash.ts";

export type SystemConfig = Omit<Config, "image">;

export function systemConfigOf(config: Config): SystemConfig {
  const { image: _image, ...system } = config;
  return system;
}

/** SHA-256 hex of the canonical system configuration: what the boot banner prints as `config`. */
export function systemHashOf(config: Config): string {
  return hashJson(systemConfigOf(config));
}
