// core/sched.c: which thread runs next. `predictive` keeps each thread's
// predicted run duration (a plain mean of its first EXO_SCHED_HISTORY runs,
// then an EMA with weight emaAlpha), sorts runnable threads into hot, normal
// and cold queues by it, and picks from the first non-empty queue through a
// bitmap: O(1). `round-robin` is one FIFO queue.
import type { KernelTemplateInput } from "../input.ts";
import { emit, type Template } from "../template.ts";

const source = "core/sched.ts";

export const sched: Template = {
  source,
  render({ kernel: k }: KernelTemplateInput) {
    const predictive = k.scheduler.policy === "predictive";
    const options = predictive
      ? ["kernel.scheduler.policy", "kernel.scheduler.emaAlpha", "kernel.scheduler.historyLength", "kernel.scheduler.hotThresholdUs", "kernel.scheduler.normalThresholdUs"]
      : ["kernel.scheduler.policy"];
    const summary = predictive
      ? "The predictive O(1) scheduler: per-thread EMA of run durations, hot/normal/cold queues, bitmap pick."
      : "The round-robin scheduler: one FIFO queue of runnable threads.";
    return emit({ source, path: "core/sched.c", summary, options }, (w) => {
      // Round-robin has no tunables, and then no sched_param.h.
      w.line('#include "types.h"', ...(predictive ? ['#include "sched_param.h"'] : []), '#include "thread.h"', '#include "defs.h"');
      w.blank();
      w.line(`#define NQUEUES ${predictive ? 3 : 1}`);
      w.c`
        struct queue {
            struct thread *head, *tail;
        };
      `;
      w.line("static struct queue queues[NQUEUES];", "static uint32 nonempty; /* bit q: queues[q] has a thread */");
      if (predictive) {
        w.line("static uint64 hot_cycles, normal_cycles; /* the thresholds in TSC cycles */");
        w.blank();
        w.line('_Static_assert(EXO_SCHED_HOT_US < EXO_SCHED_NORMAL_US, "kernel.scheduler.hotThresholdUs is below normalThresholdUs");');
        w.line("#define ALPHA_HUNDREDTHS ((EXO_SCHED_EMA_ALPHA_Q16 * 100 + 32768) >> 16)");
      }
      w.blank();
      w.comment("Print the policy line of the banner and convert the thresholds to cycles (the TSC is calibrated by now).");
      w.fn("void sched_init(void)", () => {
        if (predictive) {
          w.line("hot_cycles = EXO_SCHED_HOT_US * cycles_per_us;", "normal_cycles = EXO_SCHED_NORMAL_US * cycles_per_us;");
          w.line('kprintf("exo: sched: predictive, alpha %d.%02d, timeslice %d us\\n", ALPHA_HUNDREDTHS / 100, ALPHA_HUNDREDTHS % 100, (int)timeslice_us);');
          w.line('kprintf("exo: sched: history %d, hot < %d us, normal < %d us\\n", EXO_SCHED_HISTORY, EXO_SCHED_HOT_US, EXO_SCHED_NORMAL_US);');
        } else {
          w.line('kprintf("exo: sched: round-robin, timeslice %d us\\n", (int)timeslice_us);');
        }
      });
      if (predictive) {
        w.blank();
        w.comment(
          "The prediction after one more run of `sample` cycles, when `seen` runs",
          "came before: their plain mean while seen < EXO_SCHED_HISTORY, then",
          "ema + alpha * (sample - ema) in Q16 fixed point, rounded.",
        );
        w.fn("uint64 sched_ema(uint64 ema, uint64 sample, uint32 seen)", () => {
          w.line(`int64 diff = (int64)(sample - ema);
if (seen < EXO_SCHED_HISTORY)
    return (uint64)((int64)ema + diff / (int64)(seen + 1));
return (uint64)((int64)ema + ((diff * EXO_SCHED_EMA_ALPHA_Q16 + 32768) >> 16));`);
        });
        w.blank();
        w.fn("uint32 sched_alpha_q16(void)", () => w.line("return EXO_SCHED_EMA_ALPHA_Q16;"));
        w.blank();
        w.comment("0 hot, 1 normal, 2 cold, from a predicted run duration.");
        w.fn("uint32 sched_classify(uint64 ema)", () => w.line("return ema < hot_cycles ? 0 : ema < normal_cycles ? 1 : 2;"));
        w.blank();
        w.comment(
          "t ran for cycles and stops. A run duration is a whole CPU burst: a",
          "thread the timer preempts has not finished its burst, so the cycles add",
          "up until it yields or blocks by itself, and only then enter the EMA.",
        );
        w.fn("void sched_account(struct thread *t, uint64 cycles, int preempted)", () => {
          w.line("t->burst += cycles;");
          w.line("if (preempted)").indent(() => w.line("return;"));
          w.line("t->ema = sched_ema(t->ema, t->burst, t->samples);", "t->burst = 0;");
          w.line("if (t->samples < EXO_SCHED_HISTORY)").indent(() => w.line("t->samples++;"));
        });
        w.blank();
        w.comment("Set t's prediction outright, as if its history were full (the self-tests use it).");
        w.fn("void sched_predict(struct thread *t, uint64 cycles)", () => w.line("t->ema = cycles;", "t->samples = EXO_SCHED_HISTORY;"));
      } else {
        w.blank();
        w.comment("Round-robin keeps no statistics.");
        w.fn("void sched_account(struct thread *t, uint64 cycles, int preempted)", () => w.line("(void)t;", "(void)cycles;", "(void)preempted;"));
      }
      w.blank();
      if (predictive) {
        w.comment(
          "Make t runnable in the queue its prediction says. A thread that yields",
          "(yielded) lets everyone go first: it waits in the cold queue this once,",
          "so a hot thread spinning on yield cannot starve the others.",
        );
      } else {
        w.comment("Make t runnable at the tail of the queue.");
      }
      w.fn("void sched_enqueue(struct thread *t, int yielded)", () => {
        if (predictive) {
          w.line("uint64 predicted = t->burst > t->ema ? t->burst : t->ema; /* a long unfinished burst counts already */");
          w.line("uint32 q = yielded ? NQUEUES - 1 : sched_classify(predicted);", "t->queue = q;");
        }
        else w.line("uint32 q = 0;", "(void)yielded;");
        w.line(`struct queue *qu = &queues[q];
t->next = NULL;
if (qu->tail != NULL)
    qu->tail->next = t;
else
    qu->head = t;
qu->tail = t;
nonempty |= 1u << q;`);
      });
      w.blank();
      w.comment("Take the first thread of the first non-empty queue, or NULL when none is runnable. Interrupts are off.");
      if (predictive) {
        w.comment(
          "Starvation guard: after STARVE_LIMIT picks in a row from a better queue",
          "while a worse one waits, the worst non-empty queue gets one pick.",
        );
        w.line("#define STARVE_LIMIT 16", "static uint32 streak;");
      }
      w.fn("struct thread *sched_pick(void)", () => {
        w.line(`if (nonempty == 0)
    return NULL;
uint32 q = (uint32)__builtin_ctz(nonempty);`);
        if (predictive) {
          w.line(`if (nonempty == 1u << q) {
    streak = 0;
} else if (++streak > STARVE_LIMIT) {
    q = 31 - (uint32)__builtin_clz(nonempty);
    streak = 0;
}`);
        }
        w.line(`struct queue *qu = &queues[q];
struct thread *t = qu->head;
qu->head = t->next;
if (qu->head == NULL) {
    qu->tail = NULL;
    nonempty &= ~(1u << q);
}
return t;`);
      });
      w.blank();
      w.fn("int sched_runnable(void)", () => w.line("return nonempty != 0;"));
      w.blank();
      w.comment(
        "yield's one call into the scheduler: t, the running thread, ran for cycles and",
        "gives the CPU up; account for it, queue it as a yield, and take the next",
        "thread (t again when no one else is runnable). Interrupts are off.",
      );
      w.fn("struct thread *sched_yield_next(struct thread *t, uint64 cycles)", () => {
        w.line("sched_account(t, cycles, 0);", "t->state = T_RUNNABLE;", "sched_enqueue(t, 1);", "return sched_pick();");
      });
    });
  },
};
