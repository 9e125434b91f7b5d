// Declares the `system` namespace: name and architecture.
import { defineModule } from "../generator/eval/module.ts";
import { systemOptions } from "../schemas/system.ts";

export default defineModule({ options: { system: systemOptions } });
