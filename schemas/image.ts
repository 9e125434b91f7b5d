// Options of the `image` namespace: what the build emits.
import { z } from "zod";
import { option } from "./option.ts";

export const imageFormats = ["bundle", "kernel", "iso", "raw"] as const;
export type ImageFormat = (typeof imageFormats)[number];

export const imageOptions = {
  formats: option({
    type: z.array(z.enum(imageFormats)).min(1),
    default: ["bundle"],
    description:
      "Image formats to emit, each carrying the same signed files. `bundle`: a deterministic tar; `kernel`: the multiboot kernel and initrd for `qemu -kernel`; `iso`: a hybrid BIOS+UEFI CD image; `raw`: a BIOS+UEFI disk image with an EFI system partition.",
    example: ["bundle", "iso", "raw"],
  }),
  sourceDateEpoch: option({
    type: z.number().int().min(0),
    default: 1,
    description: "Timestamp (seconds since 1970) written into every archive, file system and SBOM, so images never depend on the clock.",
    example: 1700000000,
  }),
  bootTimeoutSeconds: option({
    type: z.number().int().min(0).max(60),
    default: 1,
    description: "Seconds GRUB's menu waits before it boots the default entry (`iso` and `raw` formats).",
    example: 5,
  }),
  bootMenuGenerations: option({
    type: z.number().int().min(1).max(32),
    default: 5,
    description:
      "Generations the boot menu of the `iso` and `raw` formats offers when `exo switch` builds them: this one (the default entry) and the newest older ones, so a system that does not boot can be rolled back from the menu. `exo build` images offer only themselves.",
    example: 3,
  }),
};
