// Declares the `image` namespace: output formats and archive timestamps.
import { defineModule } from "../generator/eval/module.ts";
import { imageOptions } from "../schemas/image.ts";

export default defineModule({ options: { image: imageOptions } });
