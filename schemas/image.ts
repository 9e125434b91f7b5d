// Options of the `image` namespace: what the build emits.
import { z } from "zod";
import { option } from "./option.ts";

/** The dates FAT file systems can hold (and ISO 9660 too): 1980-01-01 to 2107-12-31, in UTC. */
export const FAT_EPOCH_MIN = 315_532_800;
export const FAT_EPOCH_MAX = 4_354_819_199;

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
    // FAT stores dates from 1980 to 2107; an earlier or later time would wrap (epoch 1 became 2098).
    type: z.number().int().min(FAT_EPOCH_MIN, "at least 315532800 (1980-01-01), the first date FAT can store").max(FAT_EPOCH_MAX, "at most 4354819199 (2107-12-31T23:59:59Z), the last date FAT can store"),
    default: FAT_EPOCH_MIN,
    description:
      "Timestamp (seconds since 1970) written into every archive, file system, SBOM and the signed manifest (`created`), so images never depend on the clock. Between 315532800 (1980-01-01) and 4354819199 (2107-12-31), the dates FAT and ISO 9660 can both store.",
    example: 1700000000,
  }),
  validForDays: option({
    type: z.number().int().min(1).max(36_500).nullable(),
    default: null,
    description:
      "Days after `image.sourceDateEpoch` until the signed image expires: `exo verify` and `exo run` refuse it afterwards. null: it never expires. Set `sourceDateEpoch` to the release time when you use it.",
    example: 90,
  }),
  bootTimeoutSeconds: option({
    type: z.number().int().min(0).max(60),
    default: 1,
    description:
      "Seconds GRUB's menu waits for a choice before it boots the default entry, when there is a choice: in an `iso` or `raw` image that `exo switch` made with older generations to roll back to (see `image.bootMenuGenerations`). A menu with one entry, as every `exo build` image has, is not shown and waits 0 s, whatever this says. 0: never show the menu.",
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
