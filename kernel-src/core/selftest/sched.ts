// Self-tests of kernel threads and the scheduler (core/proc.c, sched.c): the
// order the policy picks, the context switch, preemption by the timer.
import { c } from "../../writer.ts";
import type { KernelConfig, SelfTest } from "./test.ts";

const logRun = c`
  static uint32 run_log[4], run_count;
  static void log_run(void *arg)
  {
      run_log[run_count++] = (uint32)(uint64)arg;
  }
`;

/** Threads predicted cold, hot and normal run hot, normal, cold; the EMA steps as configured. */
function predictiveOrder(k: KernelConfig): SelfTest {
  const s = k.scheduler;
  return {
    name: "sched_order",
    options: ["kernel.scheduler.policy", "kernel.scheduler.historyLength", "kernel.scheduler.hotThresholdUs", "kernel.scheduler.normalThresholdUs"],
    declarations: [
      `#define EXO_SCHED_HOT_US ${s.hotThresholdUs} /* kernel.scheduler.hotThresholdUs */`,
      `#define EXO_SCHED_HISTORY_N ${s.historyLength} /* kernel.scheduler.historyLength */`,
      `#define EXO_SCHED_COLD_X ${Math.ceil(s.normalThresholdUs / 50) + 1} /* 50 us times this is past kernel.scheduler.normalThresholdUs */`,
    ],
    helpers: logRun,
    body: c`
      struct thread *t[3];
      uint64 us = cycles_per_us;
      uint64 predicted[3] = { 50 * us * EXO_SCHED_COLD_X, us, (EXO_SCHED_HOT_US + 1) * us }; /* cold, hot, normal */
      run_count = 0;
      for (uint64 i = 0; i < 3; i++) {
          if ((t[i] = thread_create("order", log_run, (void *)i)) == NULL)
              return "thread_create failed";
          sched_predict(t[i], predicted[i]);
      }
      if (sched_classify(predicted[0]) != 2 || sched_classify(predicted[1]) != 0 || sched_classify(predicted[2]) != 1)
          return "thresholds put a thread in the wrong queue";
      preempt_off(); /* the order under test is the scheduler's, not the timer's */
      for (int i = 0; i < 3; i++)
          thread_run(t[i]);
      for (int i = 0; i < 3; i++)
          thread_join(t[i]);
      preempt_on();
      if (run_count != 3 || run_log[0] != 1 || run_log[1] != 2 || run_log[2] != 0)
          return "threads did not run hot, normal, cold";
      uint64 mean = sched_ema(sched_ema(0, 1000, 0), 3000, 1);
      uint64 ema = sched_ema(1000, 2000, EXO_SCHED_HISTORY_N);
      if (mean != 2000)
          return "the mean of the first runs is wrong";
      uint32 a = sched_alpha_q16();
      if (ema != 1000 + ((1000 * (uint64)a + 32768) >> 16))
          return "the EMA step is wrong";
      detail_str("hot normal cold, alpha_q16 ");
      detail_num(a);
      detail_str(" ema 1000+2000 -> ");
      detail_num(ema);
    `,
  };
}

const fifoOrder: SelfTest = {
  name: "sched_order",
  options: ["kernel.scheduler.policy"],
  helpers: logRun,
  body: c`
    struct thread *t[3];
    run_count = 0;
    for (uint64 i = 0; i < 3; i++)
        if ((t[i] = thread_create("order", log_run, (void *)i)) == NULL)
            return "thread_create failed";
    preempt_off(); /* the order under test is the scheduler's, not the timer's */
    for (int i = 0; i < 3; i++)
        thread_run(t[i]);
    for (int i = 0; i < 3; i++)
        thread_join(t[i]);
    preempt_on();
    if (run_count != 3 || run_log[0] != 0 || run_log[1] != 1 || run_log[2] != 2)
        return "threads did not run in FIFO order";
    detail_str("round-robin fifo");
  `,
};

/** test_callee_saved and test_clobber are the port's (testasm): they load and check the registers its ABI preserves. */
const ctxSwitch: SelfTest = {
  name: "ctx_switch",
  options: [],
  helpers: c`
    static volatile int clobber_stop;
    static void clobber_loop(void *arg)
    {
        (void)arg;
        while (!clobber_stop)
            test_clobber(yield);
    }
  `,
  body: c`
    struct thread *t = thread_create("clobber", clobber_loop, NULL);
    int bad = 0;
    if (t == NULL)
        return "thread_create failed";
    clobber_stop = 0;
    thread_run(t);
    uint64 before = curthread->switches;
    for (uint64 i = 0; i < 100; i++)
        bad |= test_callee_saved(yield, 0xc0de + i * 16);
    clobber_stop = 1;
    thread_join(t);
    if (curthread->switches - before < 100)
        return "the test thread was not switched out";
    if (bad)
        return "a callee-saved register changed across a switch";
    detail_str("switches ");
    detail_num(curthread->switches - before);
  `,
};

const timerPreempt: SelfTest = {
  name: "timer_preempt",
  options: [],
  helpers: c`
    static volatile uint64 spins[2];
    static volatile int spin_stop;
    static void spinner(void *arg)
    {
        while (!spin_stop)
            spins[(uint64)arg]++;
    }
  `,
  body: c`
    struct thread *t[2];
    uint64 start = ticks;
    spin_stop = 0;
    spins[0] = spins[1] = 0;
    for (uint64 i = 0; i < 2; i++) {
        if ((t[i] = thread_create("spin", spinner, (void *)i)) == NULL)
            return "thread_create failed";
        thread_run(t[i]);
    }
    while (ticks - start < 6 && (spins[0] == 0 || spins[1] == 0))
        yield();
    int ok = spins[0] > 0 && spins[1] > 0;
    spin_stop = 1;
    thread_join(t[0]);
    thread_join(t[1]);
    if (!ok)
        return "a spinning thread was never preempted";
    detail_str("ticks ");
    detail_num(ticks - start);
  `,
};

/** The scheduler's order (its policy's), a switch that keeps the callee-saved registers, timer preemption. */
export function schedTests(k: KernelConfig): SelfTest[] {
  return [k.scheduler.policy === "predictive" ? predictiveOrder(k) : fifoOrder, ctxSwitch, timerPreempt];
}
