// Options of the `image` namespace: what the build emits.
import { z } from "zod";
import { option } from "./option.ts";

export const imageFormats = ["bundle"] as const;

export const imageOptions = {
  formats: option({
    type: z.array(z.enum(imageFormats)).min(1),
    default: ["bundle"],
    description: "Image formats to emit. `bundle`: a deterministic tar of the kernel, a manifest and its ML-DSA signature.",
    example: ["bundle"],
  }),
  sourceDateEpoch: option({
    type: z.number().int().min(0),
    default: 1,
    description: "Timestamp (seconds since 1970) written into every archive entry, so images never depend on the clock.",
    example: 1700000000,
  }),
};
