// The predictive scheduler's queues must be ordered: hot below normal.
import { defineModule } from "../../generator/eval/module.ts";

export default defineModule({
  assertions: ({ config }) => {
    const { policy, hotThresholdUs, normalThresholdUs } = config.kernel.scheduler;
    return [
      {
        assertion: policy !== "predictive" || hotThresholdUs < normalThresholdUs,
        message: `kernel.scheduler.hotThresholdUs (${hotThresholdUs}) must be below kernel.scheduler.normalThresholdUs (${normalThresholdUs}): a hot thread is one predicted to run shorter than a normal one`,
        options: ["kernel.scheduler.hotThresholdUs", "kernel.scheduler.normalThresholdUs"],
        hint: "lower hotThresholdUs or raise normalThresholdUs",
      },
    ];
  },
});
