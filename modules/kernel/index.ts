// Declares the `kernel` namespace: the features the kernel templates read.
import { defineModule } from "../../generator/eval/module.ts";
import { kernelOptions } from "../../schemas/kernel.ts";

export default defineModule({ options: { kernel: kernelOptions } });
