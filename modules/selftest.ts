// Self-test builds (kernel.testMode = "selftest") add a sandbox policy whose
// name is exactly as long as a name may be: usertest checks that spawn takes
// it whole and refuses it one character longer, instead of cutting it short.
import { defineModule } from "../generator/eval/module.ts";
import { mkIf } from "../generator/eval/markers.ts";
import { LONGEST_POLICY_NAME } from "../schemas/limits.ts";

export default defineModule({
  config: {
    sandbox: {
      policies: mkIf((config) => config.kernel.testMode === "selftest", {
        [LONGEST_POLICY_NAME]: { capabilities: [], description: "usertest: a policy name of the longest length (schemas/limits.ts MAX_NAME)." },
      }),
    },
  },
});
